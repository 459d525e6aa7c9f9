package io.astro.sync.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class BoundedLinesTest {

  @Test
  void lines_end_at_newlines_without_their_carriage_return_and_a_last_one_may_have_none()
      throws IOException {
    BoundedLines reader = reader("one\r\ntwo\n\nlast", 1024, 16);

    assertThat(all(reader)).containsExactly("one", "two", "", "last");
    assertThat(reader.lastLineComplete()).isFalse();
    assertThat(reader.capped()).isFalse();
  }

  @Test
  void a_long_line_is_cut_and_marked_and_its_rest_skipped() throws IOException {
    BoundedLines reader = reader("x".repeat(100) + "\nnext\n", 1024, 16);

    assertThat(all(reader)).containsExactly("x".repeat(16) + BoundedLines.CUT, "next");
  }

  @Test
  void a_cut_never_splits_a_character() throws IOException {
    // "é" is 2 bytes: 16 bytes hold "a" and 7 of them, the 8th would be split
    BoundedLines reader = reader("a" + "é".repeat(20) + "\n", 1024, 16);

    assertThat(reader.next()).isEqualTo("a" + "é".repeat(7) + BoundedLines.CUT);
  }

  @Test
  void the_body_is_read_up_to_its_cap_only() throws IOException {
    Buffer body = new Buffer().writeUtf8("12345\n67890\n");
    BoundedLines reader = new BoundedLines(body, 8, 16);

    assertThat(all(reader)).containsExactly("12345", "67");
    assertThat(reader.capped()).isTrue();
    assertThat(body.size()).as("left unread").isEqualTo(4);
  }

  private static BoundedLines reader(String text, long cap, int maxLine) {
    return new BoundedLines(new Buffer().writeUtf8(text), cap, maxLine);
  }

  private static List<String> all(BoundedLines reader) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = reader.next(); line != null; line = reader.next()) {
      lines.add(line);
    }
    return lines;
  }
}
