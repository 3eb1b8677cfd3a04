package dev.kbackup.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** An input stream that knows its byte position in the segment and reports early ends as corruption. */
final class SegmentInput implements AutoCloseable {

    private final InputStream in;
    private final String name;
    private long position;

    SegmentInput(InputStream in, String name, long startPosition) {
        this.in = in;
        this.name = name;
        this.position = startPosition;
    }

    long position() {
        return position;
    }

    /** Next byte, or -1 at the end of the stream. */
    int readByteOrEnd() {
        try {
            int b = in.read();
            if (b >= 0) {
                position++;
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read segment " + name + " at byte " + position, e);
        }
    }

    /** Fills {@code target[offset, offset + length)}. */
    void readFully(byte[] target, int offset, int length, int block, String what) {
        int done = 0;
        while (done < length) {
            int n;
            try {
                n = in.read(target, offset + done, length - done);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read segment " + name + " at byte " + (position + done), e);
            }
            if (n < 0) {
                throw new CorruptSegmentException(name, block, position + done,
                        "truncated: the object ends inside the " + what + " (" + (length - done) + " bytes missing)");
            }
            done += n;
        }
        position += length;
    }

    /**
     * Reads {@code length} bytes into a buffer that grows as bytes actually arrive, so a corrupt length meets the
     * end of the stream long before it can exhaust memory. Reuses {@code buffer} when it is big enough.
     */
    byte[] readGrowing(byte[] buffer, int length, int block, String what) {
        if (buffer.length >= length) {
            readFully(buffer, 0, length, block, what);
            return buffer;
        }
        byte[] target = new byte[Math.min(length, Math.max(buffer.length, 1 << 20))];
        int done = 0;
        while (done < length) {
            if (done == target.length) {
                target = java.util.Arrays.copyOf(target, (int) Math.min(length, 2L * target.length));
            }
            int chunk = target.length - done;
            readFully(target, done, chunk, block, what);
            done += chunk;
        }
        return target;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not close segment " + name, e);
        }
    }
}
