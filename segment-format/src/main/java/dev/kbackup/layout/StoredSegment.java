package dev.kbackup.layout;

import dev.kbackup.format.CorruptSegmentException;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.FooterCodec;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentFormat;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectNotFoundException;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.StorageException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A segment object in storage, read with ranged requests: the footer comes from the object's tail (one request
 * when it fits in the first {@value #TAIL_READ_BYTES} bytes). An object whose size is not the size the backup
 * recorded for it is corrupt ({@link CorruptSegmentException} naming both sizes), never a storage failure.
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
        return openWhole(EncryptionKeys.NONE);
    }

    /** Streams the whole segment from its first byte, decrypting its blocks with {@code keys} if it is encrypted. */
    public SegmentReader openWhole(EncryptionKeys keys) {
        return SegmentReader.open(new BufferedInputStream(store.read(key), STREAM_BUFFER_BYTES), key, keys);
    }

    private SegmentFooter readFooter() {
        long minimum = SegmentFormat.HEADER_SIZE + SegmentFormat.FOOTER_PREFIX_SIZE + SegmentFormat.TRAILER_SIZE;
        if (size < minimum) {
            throw new CorruptSegmentException(key, -1, size, "object is only " + size
                    + " bytes, smaller than the smallest possible segment (" + minimum + " bytes)");
        }
        int tailLength = (int) Math.min(size, TAIL_READ_BYTES);
        long tailStart = size - tailLength;
        // one byte more than the tail: a store hands it back only if the object is longer than its recorded size
        byte[] tail = readRange(tailStart, tailLength, 1);
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
        return FooterCodec.parse(key, footerBytes, footerOffset, trailer);
    }

    /**
     * Reads bytes {@code [start, start + length)} of the segment. An object that ends before them, or a range the
     * store refuses because the object is shorter than its recorded size, is a corrupt segment naming both sizes.
     */
    public byte[] readRange(long start, int length) {
        return readRange(start, length, 0);
    }

    /** Reads {@code length} bytes, and checks that the object ends there if {@code probe} is 1. */
    private byte[] readRange(long start, int length, int probe) {
        byte[] bytes = new byte[length + probe];
        int done = 0;
        try (InputStream in = open(start, start + length + probe)) {
            int n;
            while (done < bytes.length && (n = in.read(bytes, done, bytes.length - done)) >= 0) {
                done += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read bytes " + start + ".." + (start + length) + " of " + key, e);
        }
        if (done < length) {
            throw sizeMismatch(start + done, start + done);
        }
        if (done > length) {
            throw sizeMismatch(start + length, actualSizeOr(-1));
        }
        return probe == 0 ? bytes : Arrays.copyOf(bytes, length);
    }

    private InputStream open(long start, long endExclusive) {
        try {
            return store.readRange(key, start, endExclusive);
        } catch (ObjectNotFoundException e) {
            throw e;
        } catch (StorageException e) {
            // a store refuses a range that starts past the object's end (S3: 416); only then is it a size mismatch
            long actual = e.isRetriable() ? -1 : actualSizeOr(-1);
            if (actual >= 0 && actual != size) {
                throw sizeMismatch(Math.min(start, actual), actual);
            }
            throw e;
        }
    }

    /** The object's size in storage, or {@code otherwise} if it cannot be told. */
    private long actualSizeOr(long otherwise) {
        try {
            return store.stat(key).map(ObjectInfo::size).orElse(otherwise);
        } catch (StorageException e) {
            return otherwise;
        }
    }

    private CorruptSegmentException sizeMismatch(long position, long actual) {
        String found = actual < 0 ? "is longer" : "holds " + actual + " bytes";
        return new CorruptSegmentException(key, -1, position, "the object " + found + " but the backup's index "
                + "records " + size + " bytes for it (truncated, replaced or appended to after it was written)");
    }
}
