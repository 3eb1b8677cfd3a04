package dev.kbackup.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kbackup.cli.VerifyProblem.Kind;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockHeader;
import dev.kbackup.format.CorruptSegmentException;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentKeyException;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.StoredSegment;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectNotFoundException;
import dev.kbackup.storage.ObjectStore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a backup as a restore would read it: the catalog against the stored objects (nothing listed missing,
 * nothing complete left where a restore would not find it), offsets continuing from segment to segment except
 * across recorded gaps, and every byte of every segment (or of a sample) against its block checksums, its footer
 * and the checksum, offsets and counts the catalog records. Encrypted segments are opened with the configured keys;
 * one whose key is not configured is reported as {@link Kind#KEY_NEEDED} with the key id it needs.
 */
final class BackupVerifier {

    /** Told how much there is to read and how far reading has come. */
    interface Progress {
        void planned(int segments, long bytes);

        void advanced(long bytes);

        void segmentDone();

        void finished();
    }

    record Result(String backupId, int segmentsInCatalog, int segmentsToRead, int segmentsRead, long bytesRead,
                  double samplePercent, List<VerifyProblem> problems) {

        @JsonProperty
        boolean intact() {
            return problems.isEmpty();
        }
    }

    /** A stored segment to read; {@code expected} is null for a segment stored after its index's last entry. */
    private record Check(ObjectInfo object, SegmentInfo expected) {
    }

    private final ObjectStore store;
    private final BackupCatalog catalog;
    private final EncryptionKeys keys;
    private final double samplePercent;
    private final long seed;
    private final Progress progress;
    private final List<VerifyProblem> problems = new ArrayList<>();

    BackupVerifier(ObjectStore store, BackupCatalog catalog, EncryptionKeys keys, double samplePercent, long seed,
                   Progress progress) {
        this.store = store;
        this.catalog = catalog;
        this.keys = keys;
        this.samplePercent = samplePercent;
        this.seed = seed;
        this.progress = progress;
    }

    Result verify() {
        String backupId = catalog.layout().backupId();
        Map<String, Map<Integer, PartitionIndex>> all;
        try {
            all = catalog.loadAll();
        } catch (CorruptSegmentException e) {
            problems.add(corrupt(e, null, null));
            return new Result(backupId, 0, 0, 0, 0, samplePercent, List.copyOf(problems));
        }
        Map<String, ObjectInfo> stored = storedSegments();
        List<Check> checks = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (Map<Integer, PartitionIndex> partitions : all.values()) {
            for (PartitionIndex index : partitions.values()) {
                checkIndex(index, stored, checks);
                index.segments().forEach(segment -> listed.add(segment.key()));
            }
        }
        int inCatalog = listed.size();
        stored.forEach((key, object) -> {
            if (!listed.contains(key)) {
                checkUnlisted(object, all, checks);
            }
        });
        List<Check> toRead = sample(checks);
        progress.planned(toRead.size(), toRead.stream().mapToLong(check -> check.object().size()).sum());
        int read = 0;
        long bytes = 0;
        for (Check check : toRead) {
            read(check);
            read++;
            bytes += check.object().size();
            progress.segmentDone();
        }
        progress.finished();
        return new Result(backupId, inCatalog, toRead.size(), read, bytes, samplePercent, List.copyOf(problems));
    }

    /** Every segment object in storage under the backup's topics, by key. */
    private Map<String, ObjectInfo> storedSegments() {
        Map<String, ObjectInfo> stored = new TreeMap<>();
        store.list(catalog.layout().topicsPrefix(), null).forEachRemaining(object -> {
            if (BackupLayout.parseSegmentKey(object.key()).isPresent()) {
                stored.put(object.key(), object);
            }
        });
        return stored;
    }

    private void checkIndex(PartitionIndex index, Map<String, ObjectInfo> stored, List<Check> checks) {
        for (SegmentInfo segment : index.segments()) {
            ObjectInfo object = stored.get(segment.key());
            if (object == null) {
                problems.add(problem(Kind.MISSING_SEGMENT, segment, -1, -1, "the catalog lists this segment but "
                        + store.describe() + " does not hold it; its offsets cannot be restored"));
            } else if (object.size() != segment.sizeBytes()) {
                problems.add(problem(Kind.SIZE_MISMATCH, segment, -1, Math.min(object.size(), segment.sizeBytes()),
                        "the object holds " + object.size() + " bytes but the catalog records " + segment.sizeBytes()
                                + (object.size() < segment.sizeBytes() ? " (truncated)"
                                        : " (replaced or appended to)")));
            } else {
                checks.add(new Check(object, segment));
            }
        }
        for (MissingOffsets missing : MissingOffsets.between(index.segments())) {
            problems.add(new VerifyProblem(Kind.OFFSET_GAP, missing.after().key(), index.topic(), index.partition(),
                    missing.firstOffset(), missing.lastOffset(), -1, -1, "no segment holds these offsets and the "
                    + "backup recorded no gap there: segment " + missing.before().key() + " ends at offset "
                    + missing.before().lastOffset() + " and this one continues from offset "
                    + missing.after().coversFrom()));
        }
    }

    /**
     * A stored segment the catalog does not list. After its partition's last listed segment a restore still finds
     * it (the sink publishes every sync interval), so it is read and checked; before that, a restore skips it.
     */
    private void checkUnlisted(ObjectInfo object, Map<String, Map<Integer, PartitionIndex>> all, List<Check> checks) {
        BackupLayout.SegmentKey key = BackupLayout.parseSegmentKey(object.key()).orElseThrow();
        PartitionIndex index = all.getOrDefault(key.topic(), Map.of()).get(key.partition());
        String lastListed = index == null ? null : index.segments().stream().map(SegmentInfo::key)
                .max(String::compareTo).orElse(null);
        if (index != null && replacedByMerge(index, key.firstOffset())) {
            // a source of a merged segment, kept for cleanup.grace.ms so that restores planned before can finish
            return;
        }
        if (lastListed != null && object.key().compareTo(lastListed) < 0) {
            problems.add(new VerifyProblem(Kind.NOT_IN_CATALOG, object.key(), key.topic(), key.partition(),
                    key.firstOffset(), -1, -1, -1, "a complete segment in storage that the catalog leaves out, "
                    + "before its last listed segment " + lastListed + ": a restore would not read it"));
        } else {
            checks.add(new Check(object, null));
        }
    }

    private static boolean replacedByMerge(PartitionIndex index, long firstOffset) {
        return index.segments().stream().anyMatch(entry -> BackupLayout.isMergedSegmentKey(entry.key())
                && entry.firstOffset() <= firstOffset && firstOffset <= entry.lastOffset());
    }

    private List<Check> sample(List<Check> checks) {
        if (samplePercent >= 100) {
            return checks;
        }
        List<Check> shuffled = new ArrayList<>(checks);
        Collections.shuffle(shuffled, new Random(seed));
        int count = (int) Math.ceil(checks.size() * samplePercent / 100.0);
        List<Check> chosen = new ArrayList<>(shuffled.subList(0, Math.min(count, shuffled.size())));
        chosen.sort((a, b) -> a.object().key().compareTo(b.object().key()));
        return chosen;
    }

    private void read(Check check) {
        ObjectInfo object = check.object();
        SegmentInfo expected = check.expected();
        long consumed = 0;
        try (SegmentReader reader = new StoredSegment(store, object.key(), object.size()).openWhole(keys)) {
            long lastOffset = -1;
            BlockHeader header;
            while ((header = reader.nextBlock()) != null) {
                for (BackupRecord record : reader.records()) {
                    if (record.offset() <= lastOffset) {
                        problems.add(new VerifyProblem(Kind.CORRUPT_SEGMENT, object.key(), topicOf(object),
                                partitionOf(object), header.firstOffset(), header.lastOffset(), reader.blockIndex(),
                                -1, "offset " + record.offset() + " follows offset " + lastOffset));
                        return;
                    }
                    lastOffset = record.offset();
                }
                progress.advanced(header.totalLength());
                consumed += header.totalLength();
            }
            if (expected != null) {
                compare(expected, reader.footer(), reader.bytesChecksum());
            }
        } catch (CorruptSegmentException e) {
            problems.add(corrupt(e, object, expected));
        } catch (SegmentKeyException e) {
            // not damage, a setting: the segment's blocks stay unchecked until the key it names is configured
            problems.add(new VerifyProblem(Kind.KEY_NEEDED, object.key(), topicOf(object), partitionOf(object),
                    expected == null ? -1 : expected.firstOffset(), expected == null ? -1 : expected.lastOffset(),
                    -1, -1, e.getMessage(), e.keyId()));
        } catch (ObjectNotFoundException e) {
            problems.add(new VerifyProblem(Kind.MISSING_SEGMENT, object.key(), topicOf(object), partitionOf(object),
                    expected == null ? -1 : expected.firstOffset(), expected == null ? -1 : expected.lastOffset(),
                    -1, -1, "the object disappeared while it was being read"));
        } finally {
            progress.advanced(Math.max(0, object.size() - consumed));
        }
    }

    private void compare(SegmentInfo expected, SegmentFooter footer, long crc32c) {
        List<String> differences = new ArrayList<>();
        if (crc32c != expected.crc32c()) {
            differences.add(String.format("CRC32C of the object is %08x, the catalog records %08x", crc32c,
                    expected.crc32c()));
        }
        if (footer.firstOffset() != expected.firstOffset() || footer.lastOffset() != expected.lastOffset()) {
            differences.add("the footer holds offsets " + footer.firstOffset() + ".." + footer.lastOffset()
                    + ", the catalog records " + expected.firstOffset() + ".." + expected.lastOffset());
        }
        if (footer.recordCount() != expected.recordCount()) {
            differences.add("the footer counts " + footer.recordCount() + " records, the catalog "
                    + expected.recordCount());
        }
        if (!differences.isEmpty()) {
            problems.add(problem(Kind.CATALOG_MISMATCH, expected, -1, -1, String.join("; ", differences)
                    + ": the object was replaced after the backup wrote it"));
        }
    }

    private VerifyProblem corrupt(CorruptSegmentException e, ObjectInfo object, SegmentInfo expected) {
        String key = object != null ? object.key() : e.segment();
        BackupLayout.SegmentKey parsed = BackupLayout.parseSegmentKey(key).orElse(null);
        Kind kind = object == null ? Kind.UNREADABLE_CATALOG : Kind.CORRUPT_SEGMENT;
        return new VerifyProblem(kind, key, parsed == null ? null : parsed.topic(),
                parsed == null ? -1 : parsed.partition(), expected == null ? -1 : expected.firstOffset(),
                expected == null ? -1 : expected.lastOffset(), e.block(), e.position(), e.getMessage());
    }

    private static VerifyProblem problem(Kind kind, SegmentInfo segment, int block, long position, String message) {
        return new VerifyProblem(kind, segment.key(), segment.topic(), segment.partition(), segment.firstOffset(),
                segment.lastOffset(), block, position, message);
    }

    private static String topicOf(ObjectInfo object) {
        return BackupLayout.parseSegmentKey(object.key()).map(BackupLayout.SegmentKey::topic).orElse(null);
    }

    private static int partitionOf(ObjectInfo object) {
        return BackupLayout.parseSegmentKey(object.key()).map(BackupLayout.SegmentKey::partition).orElse(-1);
    }
}
