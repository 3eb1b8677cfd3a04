package dev.kbackup.layout;

import dev.kbackup.format.TimeWindow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The catalog objects of one partition as one listing found them: pieces, folds and checkpoints (which hold
 * entries) and history summaries. Pure: it decides which objects a reader needs, from their keys alone.
 */
final class PartitionCatalog {

    private static final Comparator<CatalogObject> BY_OFFSET = Comparator.comparingLong(CatalogObject::firstOffset)
            .thenComparingLong(CatalogObject::lastOffset);

    private final String topic;
    private final int partition;
    private final List<CatalogObject> holders = new ArrayList<>();
    private boolean sorted = true;
    private final List<CatalogObject> summaries = new ArrayList<>();
    private final List<RetentionMark> marks = new ArrayList<>();
    private final List<CompactionMark> compactionMarks = new ArrayList<>();

    PartitionCatalog(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    void add(RetentionMark mark) {
        marks.add(mark);
    }

    void add(CompactionMark mark) {
        compactionMarks.add(mark);
    }

    /** Every compaction mark found; the one settling the most is {@link #settledBelow}. */
    List<CompactionMark> compactionMarks() {
        return List.copyOf(compactionMarks);
    }

    /** The offset below which compaction has settled everything (0 if it never recorded any). */
    long settledBelow() {
        return compactionMarks.stream().mapToLong(CompactionMark::settledBelow).max().orElse(0);
    }

    /** The retention mark with the highest cutoff, if the partition's owner ever expired anything. */
    Optional<RetentionMark> retention() {
        return marks.stream().max(Comparator.comparingLong(RetentionMark::cutoffTimestamp)
                .thenComparingLong(RetentionMark::lastOffset));
    }

    /** Every retention mark, the newest first. */
    List<RetentionMark> marks() {
        return marks.stream().sorted(Comparator.comparingLong(RetentionMark::cutoffTimestamp).reversed()).toList();
    }

    /** Whether every entry of {@code object} has expired by retention. */
    boolean expired(CatalogObject object) {
        return retention().map(mark -> mark.expires(object.maxTimestamp())).orElse(false);
    }

    void add(CatalogObject object) {
        (object.level().holdsEntries() ? holders : summaries).add(object);
        sorted = sorted && !object.level().holdsEntries();
    }

    /** The objects holding entries in offset order; sorted once after a listing, not on every key it adds. */
    private List<CatalogObject> sortedHolders() {
        if (!sorted) {
            holders.sort(BY_OFFSET);
            sorted = true;
        }
        return holders;
    }

    String topic() {
        return topic;
    }

    int partition() {
        return partition;
    }

    boolean isEmpty() {
        return holders.isEmpty();
    }

    /** Every object holding entries that have not all expired, in offset order. */
    List<CatalogObject> holders() {
        return sortedHolders().stream().filter(object -> !expired(object)).toList();
    }

    /** Every object holding entries, expired or not, in offset order. */
    List<CatalogObject> allHolders() {
        return List.copyOf(sortedHolders());
    }

    List<CatalogObject> level(CatalogObject.Level level) {
        return (level.holdsEntries() ? sortedHolders() : summaries).stream().filter(o -> o.level() == level)
                .toList();
    }

    /** The history summary reaching furthest, if any checkpoint was ever written. */
    Optional<CatalogObject> history() {
        return summaries.stream().max(Comparator.comparingLong(CatalogObject::lastOffset));
    }

    /** The object holding the highest offset, expired or not: it holds the partition's newest entry. */
    Optional<CatalogObject> newest() {
        return holders.stream().max(Comparator.comparingLong(CatalogObject::lastOffset));
    }

    /**
     * The highest offset the catalog knows, or -1: that of its newest entry, of a retention mark if retention
     * deleted the objects that held the newest entries, or of the history summary if only {@code index/} was
     * listed and everything there was folded into a checkpoint (a fold writes the summary before it deletes).
     */
    long lastOffset() {
        long marked = marks.stream().mapToLong(RetentionMark::lastOffset).max().orElse(-1);
        long summarized = history().map(CatalogObject::lastOffset).orElse(-1L);
        return Math.max(Math.max(marked, summarized), newest().map(CatalogObject::lastOffset).orElse(-1L));
    }

    /**
     * The objects a reader of {@code window} needs: every object from the first to the last whose timestamps
     * overlap the window, in offset order (so no range between them looks missing), plus the one just before
     * (so a segment missing at the window's start is seen as missing, not as the backup's beginning).
     */
    List<CatalogObject> forWindow(TimeWindow window) {
        List<CatalogObject> holders = holders();
        int first = -1;
        int last = -1;
        for (int i = 0; i < holders.size(); i++) {
            CatalogObject object = holders.get(i);
            if (window.overlaps(object.minTimestamp(), object.maxTimestamp())) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        return first < 0 ? List.of() : List.copyOf(holders.subList(Math.max(0, first - 1), last + 1));
    }

    /**
     * The partition's summary: the newest history summary (all checkpoints up to its last offset) plus the
     * pieces and folds after it. Read from the keys alone.
     */
    PartitionSummary summary(BackupLayout layout) {
        CatalogObject history = history().orElse(null);
        long after = history == null ? -1 : history.lastOffset();
        long first = history == null ? Long.MAX_VALUE : history.firstOffset();
        long last = after;
        long min = history == null ? Long.MAX_VALUE : history.minTimestamp();
        long max = history == null ? Long.MIN_VALUE : history.maxTimestamp();
        long segments = history == null ? 0 : history.segmentCount();
        long records = history == null ? 0 : history.recordCount();
        long bytes = history == null ? 0 : history.sizeBytes();
        int objects = summaries.size();
        for (CatalogObject object : holders) {
            if (object.level() == CatalogObject.Level.CHECKPOINT) {
                continue;
            }
            objects++;
            first = Math.min(first, object.firstOffset());
            last = Math.max(last, object.lastOffset());
            min = Math.min(min, object.minTimestamp());
            max = Math.max(max, object.maxTimestamp());
            if (object.firstOffset() > after) {
                segments += object.segmentCount();
                records += object.recordCount();
                bytes += object.sizeBytes();
            }
        }
        return new PartitionSummary(topic, partition, first == Long.MAX_VALUE ? -1 : first, last, min, max,
                segments, records, bytes, layout.partitionIndexPrefix(topic, partition),
                layout.partitionCheckpointPrefix(topic, partition), objects);
    }
}
