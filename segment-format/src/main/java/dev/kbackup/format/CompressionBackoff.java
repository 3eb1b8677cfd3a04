package dev.kbackup.format;

/**
 * Decides, block by block, whether a segment writer compresses a block or stores it uncompressed. A block whose
 * compressed form keeps more than {@link #KEEP_PERCENT} % of its bytes is stored as it is; after
 * {@link #MISSES_BEFORE_BACKOFF} such blocks in a row the writer stops trying for a while, then probes with one block,
 * and backs off for twice as long each time the probe fails too. One per segment writer; not thread-safe.
 *
 * <p>Why 95 %: what shrinks in incompressible payloads (already compressed or encrypted values) is the record
 * framing, keys and header names, a few percent of a block, while compressing it costs as much CPU as compressing
 * json (zstd-3 on random bytes: 2.3 CPU s/GB, which doubles the worker's cost of a backup) and its decompression on
 * every restore. A backup that falls behind its topic loses records to retention; 5 % more storage only costs money.
 * Four misses in a row, not one, because storing a compressible run raw costs up to 6x its storage (json).
 */
final class CompressionBackoff {

    /** Largest compressed size, in percent of the block, still worth storing compressed. */
    static final int KEEP_PERCENT = 95;
    static final int MISSES_BEFORE_BACKOFF = 4;
    static final int FIRST_BACKOFF_BLOCKS = 64;
    static final int MAX_BACKOFF_BLOCKS = 1024;

    private final int missesBeforeBackoff;
    private final int firstBackoff;
    private final int maxBackoff;

    private int misses;
    private int skipsLeft;
    private int nextBackoff;

    CompressionBackoff() {
        this(MISSES_BEFORE_BACKOFF, FIRST_BACKOFF_BLOCKS, MAX_BACKOFF_BLOCKS);
    }

    // for testing
    CompressionBackoff(int missesBeforeBackoff, int firstBackoff, int maxBackoff) {
        this.missesBeforeBackoff = missesBeforeBackoff;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.nextBackoff = firstBackoff;
    }

    /** Whether to try compressing the next block; false while backing off, and that block is stored as it is. */
    boolean tryCompress() {
        if (skipsLeft > 0) {
            skipsLeft--;
            return false;
        }
        return true;
    }

    /**
     * Whether a block of {@code length} bytes that compressed to {@code compressedLength} is stored compressed;
     * records the outcome for the decisions on the next blocks.
     */
    boolean keepCompressed(int compressedLength, int length) {
        boolean keep = (long) compressedLength * 100 <= (long) length * KEEP_PERCENT;
        if (keep) {
            misses = 0;
            nextBackoff = firstBackoff;
        } else {
            // stays at the limit while backing off, so that one failed probe backs off again
            misses = Math.min(misses + 1, missesBeforeBackoff);
            if (misses == missesBeforeBackoff) {
                skipsLeft = nextBackoff;
                nextBackoff = (int) Math.min((long) nextBackoff * 2, maxBackoff);
            }
        }
        return keep;
    }
}
