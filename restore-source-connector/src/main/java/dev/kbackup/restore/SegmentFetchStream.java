package dev.kbackup.restore;

import java.io.IOException;
import java.io.InputStream;

/**
 * The stream a {@link dev.kbackup.format.SegmentReader} reads one segment from: the byte range worth reading, served
 * from the read-ahead's chunks. Reads block until the bytes are there; closing it frees what the segment holds.
 */
final class SegmentFetchStream extends InputStream {

    private final SegmentPrefetcher prefetcher;
    private final SegmentFetch fetch;

    SegmentFetchStream(SegmentPrefetcher prefetcher, SegmentFetch fetch) {
        this.prefetcher = prefetcher;
        this.fetch = fetch;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        return prefetcher.read(fetch, target, offset, length);
    }

    @Override
    public void close() {
        prefetcher.closed(fetch);
    }
}
