package dev.kbackup.format;

import dev.kbackup.storage.ObjectStore;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A segment object in storage, read with ranged requests: the footer comes from the object's tail (one request
 * when it fits in the first {@value #TAIL_READ_BYTES} bytes).
 */
public final class StoredSegment {

    static final int TAIL_READ_BYTES = 64 * 1024;
    private static final int STREAM_BUFFER_BYTES = 256 * 1024;

    private final ObjectStore store;
    private final String key;
    private final long size;
    private SegmentFooter footer;

    /** @param size the object's size in bytes, as the manifest or a listing reports it */
    public StoredSegment(ObjectStore store, String key, long size) {
        this.store = store;
        this.key = key;
        this.size = size;
    }

    /** Reads and checks the footer (once; later calls return the same footer). */
    public SegmentFooter footer() {
        if (footer == null) {
            footer = readFooter();
        }
        return footer;
    }

    /** Streams the whole segment from its first byte. */
    public SegmentReader openWhole() {
        return SegmentReader.open(new BufferedInputStream(store.read(key), STREAM_BUFFER_BYTES), key);
    }

    private SegmentFooter readFooter() {
        long minimum = SegmentFormat.HEADER_SIZE + SegmentFormat.FOOTER_PREFIX_SIZE + SegmentFormat.TRAILER_SIZE;
        if (size < minimum) {
            throw new CorruptSegmentException(key, -1, size, "object is only " + size
                    + " bytes, smaller than the smallest possible segment (" + minimum + " bytes)");
        }
        int tailLength = (int) Math.min(size, TAIL_READ_BYTES);
        long tailStart = size - tailLength;
        byte[] tail = readRange(tailStart, tailLength);
        long trailerPosition = size - SegmentFormat.TRAILER_SIZE;
        FooterCodec.Trailer trailer = FooterCodec.parseTrailer(key, tail, tailLength - SegmentFormat.TRAILER_SIZE,
                trailerPosition);
        byte[] footerBytes;
        int footerOffset;
        if (trailer.footerPosition() >= tailStart) {
            footerBytes = tail;
            footerOffset = (int) (trailer.footerPosition() - tailStart);
        } else {
            footerBytes = readRange(trailer.footerPosition(), trailer.footerLength());
            footerOffset = 0;
        }
        return FooterCodec.parse(key, footerBytes, footerOffset, trailer.footerLength(), trailer.footerPosition(),
                trailer.footerCrc());
    }

    private byte[] readRange(long start, int length) {
        byte[] bytes = new byte[length];
        try (InputStream in = store.readRange(key, start, start + length)) {
            int done = 0;
            while (done < length) {
                int n = in.read(bytes, done, length - done);
                if (n < 0) {
                    throw new CorruptSegmentException(key, -1, start + done, "truncated: object ended after "
                            + (start + done) + " bytes although its size was given as " + size);
                }
                done += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read bytes " + start + ".." + (start + length) + " of " + key, e);
        }
        return bytes;
    }
}
