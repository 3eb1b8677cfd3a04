package dev.kbackup.layout;

/**
 * What the catalog says about one partition as a whole, computed from the keys of its catalog folder alone:
 * offsets, record timestamps, counts and bytes, and where its entries live ({@code catalogObjects} objects under
 * {@code index/}, plus the checkpoints the history summary accounts for). Offsets and timestamps are exact; counts
 * and bytes are exact once no fold is in flight (while another writer folds, an entry can be counted twice).
 */
public record PartitionSummary(String topic, int partition, long firstOffset, long lastOffset, long minTimestamp,
                               long maxTimestamp, long segmentCount, long recordCount, long sizeBytes,
                               String indexFolder, String checkpointFolder, int catalogObjects) {
}
