package dev.kbackup.layout;

import dev.kbackup.format.SegmentInfo;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One immutable object of a partition's catalog, as its key describes it. Every catalog object is created once
 * under a key no other write uses and never rewritten; the key carries what planners need without reading the
 * object (offset range, timestamp range, segment and record counts, bytes), so listing a folder is enough to
 * summarise a partition or to pick the few objects a time window needs:
 * <pre>
 * index/{topic}/partition={p}/L0-{range}-{writer}.json        a piece: the entries one publication added
 * index/{topic}/partition={p}/L1-{range}-{writer}.json        a fold of pieces
 * index/{topic}/partition={p}/H-{range}-{writer}.json         the running summary of every checkpoint up to its last offset
 * checkpoints/{topic}/partition={p}/C-{range}-{writer}.json   a checkpoint: a fold of folds, never folded again
 * {range} = {first:020d}-{last:020d}-{minTimestamp}_{maxTimestamp}-{segments}_{records}_{bytes}
 * </pre>
 */
public record CatalogObject(Level level, String topic, int partition, long firstOffset, long lastOffset,
                            long minTimestamp, long maxTimestamp, long segmentCount, long recordCount,
                            long sizeBytes, String writer) {

    private static final Pattern KEY = Pattern.compile(".*/(index|checkpoints)/([A-Za-z0-9._-]+)/partition=(\\d{1,9})/"
            + "(L0|L1|H|C)-(\\d{20})-(\\d{20})-(-?\\d{1,19})_(-?\\d{1,19})-(\\d{1,19})_(\\d{1,19})_(\\d{1,19})-"
            + "([a-z0-9]{1,32})\\.json");
    private static final Pattern WRITER = Pattern.compile("[a-z0-9]{1,32}");

    /** The kinds of catalog object, from the smallest and newest to the largest and oldest. */
    public enum Level {
        PIECE("L0", false), FOLD("L1", false), CHECKPOINT("C", true), HISTORY("H", false);

        private final String tag;
        private final boolean checkpointFolder;

        Level(String tag, boolean checkpointFolder) {
            this.tag = tag;
            this.checkpointFolder = checkpointFolder;
        }

        /** Whether objects of this level hold segment entries (the history summary does not). */
        public boolean holdsEntries() {
            return this != HISTORY;
        }

        static Level ofTag(String tag) {
            for (Level level : values()) {
                if (level.tag.equals(tag)) {
                    return level;
                }
            }
            throw new IllegalArgumentException(tag);
        }
    }

    public CatalogObject {
        if (!WRITER.matcher(writer).matches()) {
            throw new IllegalArgumentException("Catalog object writer '" + writer + "' must be 1 to 32 lowercase "
                    + "letters or digits");
        }
        if (firstOffset < 0 || lastOffset < firstOffset) {
            throw new IllegalArgumentException("Catalog object offsets " + firstOffset + ".." + lastOffset
                    + " are not a range of offsets");
        }
    }

    /** The object that holds {@code entries} (not empty) of one partition at {@code level}. */
    public static CatalogObject of(Level level, String topic, int partition, Collection<SegmentInfo> entries,
                                   String writer) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("A catalog object holds at least one entry");
        }
        long first = Long.MAX_VALUE;
        long last = -1;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long records = 0;
        long bytes = 0;
        for (SegmentInfo entry : entries) {
            first = Math.min(first, entry.firstOffset());
            last = Math.max(last, entry.lastOffset());
            min = Math.min(min, entry.minTimestamp());
            max = Math.max(max, entry.maxTimestamp());
            records += entry.recordCount();
            bytes += entry.sizeBytes();
        }
        return new CatalogObject(level, topic, partition, first, last, min, max, entries.size(), records, bytes,
                writer);
    }

    /** What {@code key} says about its catalog object, or empty if it is not a catalog object key. */
    public static Optional<CatalogObject> parse(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches() || !BackupLayout.isLegalTopic(m.group(2))) {
            return Optional.empty();
        }
        try {
            Level level = Level.ofTag(m.group(4));
            if (level.checkpointFolder != m.group(1).equals("checkpoints")) {
                return Optional.empty();
            }
            return Optional.of(new CatalogObject(level, m.group(2), Integer.parseInt(m.group(3)),
                    Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), Long.parseLong(m.group(7)),
                    Long.parseLong(m.group(8)), Long.parseLong(m.group(9)), Long.parseLong(m.group(10)),
                    Long.parseLong(m.group(11)), m.group(12)));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // out of range numbers: not a key this code wrote
        }
    }

    /** This object's key in {@code layout}. */
    public String key(BackupLayout layout) {
        String folder = level.checkpointFolder ? layout.partitionCheckpointPrefix(topic, partition)
                : layout.partitionIndexPrefix(topic, partition);
        return folder + level.tag + "-" + String.format("%020d-%020d-", firstOffset, lastOffset) + minTimestamp
                + "_" + maxTimestamp + "-" + segmentCount + "_" + recordCount + "_" + sizeBytes + "-" + writer
                + ".json";
    }
}
