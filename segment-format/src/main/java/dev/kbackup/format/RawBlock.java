package dev.kbackup.format;

import dev.kbackup.memory.HeapCost;

/**
 * An encoded, not yet compressed block: {@code data[0, length)} holds {@code recordCount} records in the segment
 * record encoding, plus the statistics its header and the footer index need.
 */
public record RawBlock(byte[] data, int length, int recordCount, long firstOffset, long lastOffset,
                       long minTimestamp, long maxTimestamp) {

    /** Heap bytes this block holds (its buffer may be larger than its content), as the heap counts them. */
    public long retainedBytes() {
        return HeapCost.ofArray(data.length);
    }
}
