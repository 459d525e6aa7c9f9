-- written with a byte-order mark and CRLF line endings, as an editor on Windows may
CREATE TABLE items (
  name VARCHAR(64) PRIMARY KEY
);
