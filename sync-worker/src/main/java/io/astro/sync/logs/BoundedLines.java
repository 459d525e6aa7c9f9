package io.astro.sync.logs;

import java.io.IOException;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/**
 * Lines of a pod's log read with bounded memory: a container may print without end and without a
 * newline, and neither the line nor the body may then grow in the sync-worker's heap. A line longer
 * than {@link #MAX_LINE_BYTES} is cut there (never inside a UTF-8 sequence) and marked with {@link
 * #CUT}; the rest of it, up to its newline, is skipped a chunk at a time as the next line is asked
 * for — so a follower sees the cut line at once, not when the line ends. The body itself is capped
 * (the Kubernetes {@code limitBytes} would do it; the cap here does not rely on the API server).
 */
final class BoundedLines {

  /** The longest line kept, in bytes; containerd and Docker split lines at 16 KiB too. */
  static final int MAX_LINE_BYTES = 16 * 1024;

  static final String CUT = " …[cut]";

  private static final long SKIP_CHUNK = 8 * 1024;

  private final Capped capped;
  private final BufferedSource source;
  private final int maxLineBytes;
  private boolean skipping;
  private boolean complete = true;

  /**
   * Reads at most {@code maxBodyBytes} of {@code body}, in lines of at most {@link
   * #MAX_LINE_BYTES}.
   */
  BoundedLines(Source body, long maxBodyBytes) {
    this(body, maxBodyBytes, MAX_LINE_BYTES);
  }

  BoundedLines(Source body, long maxBodyBytes, int maxLineBytes) {
    this.capped = new Capped(body, maxBodyBytes);
    this.source = Okio.buffer(capped);
    this.maxLineBytes = maxLineBytes;
  }

  /** The next line without its {@code \n} or {@code \r\n}, cut if too long; null at the end. */
  String next() throws IOException {
    if (skipping) {
      skipPastNewline();
      skipping = false;
    }
    if (source.exhausted()) {
      return null;
    }
    long newline = source.indexOf((byte) '\n', 0, maxLineBytes + 1L);
    if (newline >= 0) {
      String line = source.readUtf8(newline);
      source.skip(1);
      complete = true;
      return LogLines.chomp(line);
    }
    Buffer buffered = source.getBuffer();
    if (buffered.size() <= maxLineBytes) {
      // no newline within the bound because the body ended: its last line had none
      complete = false;
      return LogLines.chomp(source.readUtf8(buffered.size()));
    }
    long cut = maxLineBytes;
    // 10xxxxxx continues a UTF-8 sequence: end before the character it belongs to
    while (cut > 0 && (buffered.getByte(cut) & 0xC0) == 0x80) {
      cut--;
    }
    String head = source.readUtf8(cut);
    skipping = true;
    complete = false;
    return head + CUT;
  }

  /** Whether the body ended because it reached its cap (the rest was not read). */
  boolean capped() {
    return capped.reached;
  }

  /** Whether the last line returned ended with a newline, i.e. was whole. */
  boolean lastLineComplete() {
    return complete;
  }

  private void skipPastNewline() throws IOException {
    while (true) {
      long newline = source.indexOf((byte) '\n', 0, SKIP_CHUNK);
      if (newline >= 0) {
        source.skip(newline + 1);
        return;
      }
      long buffered = source.getBuffer().size();
      if (buffered == 0) {
        return;
      }
      source.skip(buffered);
    }
  }

  /** Ends the body after {@code max} bytes, and remembers that it did. */
  private static final class Capped extends ForwardingSource {
    private long left;
    boolean reached;

    Capped(Source delegate, long max) {
      super(delegate);
      this.left = max;
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      if (left <= 0) {
        reached = true;
        return -1;
      }
      long read = super.read(sink, Math.min(byteCount, left));
      if (read > 0) {
        left -= read;
      }
      return read;
    }
  }
}
