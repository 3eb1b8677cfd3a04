package dev.kbackup.format;

/** The footer's entry for one block: where it starts, how long it is, and what it holds. */
public record BlockIndexEntry(long position, int length, int recordCount, long firstOffset, long lastOffset,
                              long minTimestamp, long maxTimestamp) {
}
