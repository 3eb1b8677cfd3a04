package dev.kbackup.layout;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.BlockHeader;
import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.SegmentWriter;
import dev.kbackup.storage.ObjectExistsException;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.StorageException;
import dev.kbackup.storage.WriteMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Compaction of one partition, run by its owner: adjacent sealed segments (in the catalog, newest record older than
 * the minimum age) are streamed, block by block, into one merged segment of up to the target size, which is checked
 * against its sources before the catalog lists it. The switch is one create-only piece holding the merged entry;
 * readers prefer a merged entry over every entry whose offsets it contains ({@link #withoutReplaced}). The replaced
 * segments stay in storage, and in the catalog objects, until the piece is {@code grace} old; then the catalog
 * objects that list them are recreated with the merged entries in their place (create before delete, as folding and
 * retention do), and the replaced segments are deleted.
 *
 * <p>Runs never cross a missing range (a segment whose {@code coversFrom} is above the previous one's last offset
 * + 1): merging across it would turn a lost segment into what looks like a real gap. Recorded gaps inside the run
 * are kept: the merged segment covers from its first source's {@code coversFrom}, and offsets Kafka no longer had are
 * simply absent from it, as in any segment.
 */
public final class SegmentCompaction {

    private static final Logger log = LoggerFactory.getLogger(SegmentCompaction.class);

    /**
     * What compaction merges and how it writes: segments whose newest record is older than {@code minAge}, into
     * segments of up to {@code targetBytes} (stored bytes of the sources), written with the backup's codec, block
     * size and encryption keys; replaced segments are deleted {@code grace} after the switch.
     */
    public record Settings(Duration minAge, long targetBytes, Duration grace, Codec codec, int compressionLevel,
                           int blockBytes, EncryptionKeys keys) {
    }

    /** What one run did: the merged segment it switched to (if any) and the replaced segments it deleted. */
    public record Outcome(Optional<SegmentInfo> merged, List<String> replaced, int segmentsDeleted) {
    }

    /** The merged segment did not hold exactly its sources' records; the catalog was left as it was. */
    public static final class VerificationFailed extends RuntimeException {
        VerificationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final BackupCatalog catalog;
    private final Settings settings;

    public SegmentCompaction(BackupCatalog catalog, Settings settings) {
        this.catalog = catalog;
        this.settings = settings;
    }

    /**
     * {@code entries} without those a merged entry among them replaces: every entry whose offsets lie within a merged
     * entry's (a merged segment holds every record its sources held, and only those). Order is kept.
     */
    public static List<SegmentInfo> withoutReplaced(List<SegmentInfo> entries) {
        List<SegmentInfo> merged = entries.stream().filter(entry -> BackupLayout.isMergedSegmentKey(entry.key()))
                .toList();
        if (merged.isEmpty()) {
            return entries;
        }
        return entries.stream().filter(entry -> merged.stream().noneMatch(by -> replaces(by, entry))).toList();
    }

    private static boolean replaces(SegmentInfo merged, SegmentInfo entry) {
        return !merged.key().equals(entry.key()) && merged.firstOffset() <= entry.firstOffset()
                && entry.lastOffset() <= merged.lastOffset()
                // two merges of the same range by racing owners: the smaller key wins, so exactly one stays
                && !(entry.firstOffset() == merged.firstOffset() && entry.lastOffset() == merged.lastOffset()
                && BackupLayout.isMergedSegmentKey(entry.key()) && entry.key().compareTo(merged.key()) < 0);
    }

    /**
     * One compaction step on the partition: deletes what merges older than the grace replaced, then merges the
     * first run of at least two eligible adjacent segments (at most one merge: that is the bandwidth limit).
     *
     * @throws VerificationFailed if the merged segment does not hold exactly its sources' records (it is deleted
     *                            and the catalog is unchanged)
     */
    public Outcome compact(String topic, int partition, Instant now) {
        int deleted = deleteReplaced(topic, partition, now);
        List<SegmentInfo> visible = catalog.readIndex(topic, partition).map(PartitionIndex::segments)
                .orElse(List.of());
        List<SegmentInfo> run = firstRun(visible, now);
        if (run.size() < 2) {
            return new Outcome(Optional.empty(), List.of(), deleted);
        }
        SegmentInfo merged = merge(topic, partition, run);
        catalog.publishIndex(new PartitionIndex(topic, partition, now, List.of(merged)), now);
        log.info("Compacted {} segments of {}-{} (offsets {}..{}, {} records, {} bytes) into {} ({} bytes); the "
                        + "replaced segments are deleted after {} ms", run.size(), topic, partition,
                merged.firstOffset(), merged.lastOffset(), merged.recordCount(),
                run.stream().mapToLong(SegmentInfo::sizeBytes).sum(), merged.key(), merged.sizeBytes(),
                settings.grace().toMillis());
        return new Outcome(Optional.of(merged), run.stream().map(SegmentInfo::key).toList(), deleted);
    }

    /**
     * The first run of adjacent eligible segments, in offset order, whose stored bytes fit the target and that does
     * not start with a merged segment larger than the rest together. That last rule keeps rewriting cheap: a merged segment is
     * merged again only with at least as many new bytes, so sizes double like a binary counter and a record is
     * rewritten at most log2(target / segment size) times, instead of every run extending the same merged segment.
     */
    List<SegmentInfo> firstRun(List<SegmentInfo> visible, Instant now) {
        long cutoff = now.toEpochMilli() - settings.minAge().toMillis();
        List<SegmentInfo> sorted = visible.stream().sorted(Comparator.comparingLong(SegmentInfo::firstOffset))
                .toList();
        List<SegmentInfo> run = new ArrayList<>();
        long bytes = 0;
        for (SegmentInfo entry : sorted) {
            boolean eligible = entry.maxTimestamp() < cutoff && entry.sizeBytes() < settings.targetBytes();
            boolean adjacent = !run.isEmpty() && follows(run.get(run.size() - 1), entry)
                    && bytes + entry.sizeBytes() <= settings.targetBytes();
            if (eligible && adjacent) {
                run.add(entry);
                bytes += entry.sizeBytes();
                continue;
            }
            List<SegmentInfo> balanced = balanced(run);
            if (balanced.size() >= 2) {
                return balanced;
            }
            run.clear();
            bytes = 0;
            if (eligible) {
                run.add(entry);
                bytes = entry.sizeBytes();
            }
        }
        List<SegmentInfo> balanced = balanced(run);
        return balanced.size() >= 2 ? balanced : List.of();
    }

    /** {@code run} without its leading merged segments that are larger than everything after them together. */
    private static List<SegmentInfo> balanced(List<SegmentInfo> run) {
        int from = 0;
        long rest = run.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        while (from < run.size() - 1) {
            long first = run.get(from).sizeBytes();
            if (!BackupLayout.isMergedSegmentKey(run.get(from).key()) || first <= rest - first) {
                break;
            }
            rest -= first;
            from++;
        }
        return run.subList(from, run.size());
    }

    /** Whether {@code next} continues {@code previous} with nothing missing and no overlap. */
    private static boolean follows(SegmentInfo previous, SegmentInfo next) {
        return next.firstOffset() > previous.lastOffset() && next.coversFrom() <= previous.lastOffset() + 1;
    }

    /** Streams {@code run} into a merged segment, verifies it against the sources and returns its entry. */
    private SegmentInfo merge(String topic, int partition, List<SegmentInfo> run) {
        SegmentInfo first = run.get(0);
        SegmentInfo last = run.get(run.size() - 1);
        String key = catalog.layout().mergedSegmentKey(topic, partition, first.firstOffset(), last.lastOffset(),
                settings.codec());
        RecordDigest sources = new RecordDigest();
        boolean created = false;
        try (BlockCompressor compressor = settings.codec().newCompressor(settings.compressionLevel());
             ObjectUpload upload = catalog.store().startUpload(key, WriteMode.CREATE_NEW)) {
            SegmentWriter writer = new SegmentWriter(key, topic, partition, compressor, upload,
                    settings.blockBytes(), first.coversFrom(), settings.keys());
            for (SegmentInfo source : run) {
                copy(source, writer, sources);
            }
            writer.finish();
            upload.complete();
            created = true;
        } catch (ObjectExistsException e) {
            // an earlier run (or a racing owner) stored it; it is used only if it verifies like a new one
            log.info("Merged segment {} exists already; verifying it against its sources", key);
            sources = digestOf(run);
        }
        try {
            return verify(key, first, last, sources);
        } catch (RuntimeException e) {
            if (created) {
                deleteQuietly(key);
            }
            throw e instanceof VerificationFailed failed ? failed : new VerificationFailed("Merged segment " + key
                    + " of " + topic + "-" + partition + " in " + catalog.store().describe() + " could not be "
                    + "verified against its sources (" + e + "); the catalog still lists the sources", e);
        }
    }

    /** Copies every record of {@code source} into {@code writer}, checking the source against its entry. */
    private void copy(SegmentInfo source, SegmentWriter writer, RecordDigest digest) {
        Stored stored = read(source.key(), source.sizeBytes(), digest, writer::append);
        checkSource(source, stored.footer(), stored.checksum(), stored.records());
    }

    private RecordDigest digestOf(List<SegmentInfo> run) {
        RecordDigest digest = new RecordDigest();
        for (SegmentInfo source : run) {
            Stored stored = read(source.key(), source.sizeBytes(), digest, record -> { });
            checkSource(source, stored.footer(), stored.checksum(), stored.records());
        }
        return digest;
    }

    /** A segment read whole: its footer, the CRC32C of its bytes and the digest of its own records. */
    private record Stored(SegmentFooter footer, long checksum, RecordDigest records) {
    }

    /** Reads {@code key} whole, block by block, handing each record to {@code digest} and {@code sink}. */
    private Stored read(String key, long size, RecordDigest digest, Consumer<BackupRecord> sink) {
        StoredSegment stored = new StoredSegment(catalog.store(), key, size);
        try (SegmentReader reader = stored.openWhole(settings.keys())) {
            RecordDigest own = new RecordDigest();
            for (BlockHeader block = reader.nextBlock(); block != null; block = reader.nextBlock()) {
                for (BackupRecord record : reader.records()) {
                    sink.accept(record);
                    digest.add(record);
                    own.add(record);
                }
            }
            return new Stored(reader.footer(), reader.bytesChecksum(), own);
        }
    }

    /** A source must be what the catalog says: same bytes (CRC32C of the object), records and offsets. */
    private static void checkSource(SegmentInfo source, SegmentFooter footer, long checksum, RecordDigest records) {
        if (checksum != source.crc32c() || footer.recordCount() != source.recordCount()
                || records.count != source.recordCount() || footer.firstOffset() != source.firstOffset()
                || footer.lastOffset() != source.lastOffset()) {
            throw new VerificationFailed("Segment " + source.key() + " is not what the catalog lists (catalog: "
                    + source.recordCount() + " records, offsets " + source.firstOffset() + ".." + source.lastOffset()
                    + ", CRC32C " + source.crc32c() + "; stored: " + records.count + " records, offsets "
                    + footer.firstOffset() + ".." + footer.lastOffset() + ", CRC32C " + checksum + "); it is not "
                    + "compacted", null);
        }
    }

    /** Reads the stored merged segment back and compares it with what its sources held. */
    private SegmentInfo verify(String key, SegmentInfo first, SegmentInfo last, RecordDigest sources) {
        ObjectInfo object = catalog.store().stat(key).orElseThrow(() -> new VerificationFailed("Merged segment "
                + key + " is gone right after it was stored", null));
        Stored read = read(key, object.size(), new RecordDigest(), record -> { });
        SegmentFooter footer = read.footer();
        RecordDigest stored = read.records();
        SegmentInfo merged = new SegmentInfo(key, footer.topic(), footer.partition(), footer.codec(),
                footer.firstOffset(), footer.lastOffset(), footer.recordCount(), footer.minTimestamp(),
                footer.maxTimestamp(), object.size(), footer.uncompressedBytes(), read.checksum(),
                footer.blocks().size(), footer.coversFrom());
        if (stored.count != sources.count || stored.crc() != sources.crc() || footer.recordCount() != stored.count
                || merged.firstOffset() != first.firstOffset() || merged.lastOffset() != last.lastOffset()
                || merged.coversFrom() != first.coversFrom()) {
            throw new VerificationFailed("Merged segment " + key + " does not hold exactly its sources' records "
                    + "(sources: " + sources.count + " records, offsets " + first.firstOffset() + ".."
                    + last.lastOffset() + " from " + first.coversFrom() + ", record CRC " + sources.crc()
                    + "; merged: " + stored.count + " records, offsets " + merged.firstOffset() + ".."
                    + merged.lastOffset() + " from " + merged.coversFrom() + ", record CRC " + stored.crc()
                    + "); it was deleted and the catalog still lists the sources", null);
        }
        return merged;
    }

    /**
     * Deletes the segments replaced by merged entries whose catalog object is at least the grace old, then
     * recreates the catalog objects that held them without them. Returns the segments deleted.
     */
    int deleteReplaced(String topic, int partition, Instant now) {
        PartitionCatalog listing = catalog.list(topic, partition, true);
        List<CatalogObject> holders = listing.holders();
        List<SegmentInfo> due = new ArrayList<>();
        List<PartitionIndex> held = new ArrayList<>();
        for (CatalogObject object : holders) {
            PartitionIndex content;
            try {
                content = catalog.readObject(object);
            } catch (BackupCatalog.ObjectGone e) {
                return 0; // folded meanwhile: the next run sees the fold
            }
            held.add(content);
            // the object's updatedAt is its creation (or a later fold's): never earlier than the switch
            if (content.updatedAt() != null && !content.updatedAt().plus(settings.grace()).isAfter(now)) {
                content.segments().stream().filter(entry -> BackupLayout.isMergedSegmentKey(entry.key()))
                        .forEach(due::add);
            }
        }
        if (due.isEmpty()) {
            return 0;
        }
        int deleted = 0;
        for (int i = 0; i < holders.size(); i++) {
            PartitionIndex content = held.get(i);
            List<SegmentInfo> replaced = content.segments().stream()
                    .filter(entry -> due.stream().anyMatch(merged -> replaces(merged, entry))).toList();
            if (replaced.isEmpty()) {
                continue;
            }
            // the object keeps the merged entries instead of what they replaced: a reader that picks this object
            // for a window (by its time and offset range) still finds those offsets, whatever else it reads
            List<SegmentInfo> kept = new ArrayList<>(content.segments().stream()
                    .filter(entry -> !replaced.contains(entry)).toList());
            due.stream().filter(merged -> replaced.stream().anyMatch(entry -> replaces(merged, entry)))
                    .filter(merged -> !kept.contains(merged)).forEach(kept::add);
            catalog.create(holders.get(i).level(), new PartitionIndex(topic, partition, content.updatedAt(), kept));
            deleteQuietly(holders.get(i).key(catalog.layout()));
            // segments last: a reader listing the catalog now no longer finds them
            for (SegmentInfo entry : replaced) {
                deleteQuietly(entry.key());
                deleted++;
            }
        }
        log.info("Deleted {} segments of {}-{} that merged segments replaced more than {} ms ago", deleted, topic,
                partition, settings.grace().toMillis());
        return deleted;
    }

    private void deleteQuietly(String key) {
        try {
            catalog.store().delete(key);
        } catch (StorageException e) {
            log.warn("Could not delete {} from {}: {}", key, catalog.store().describe(), e.toString());
        }
    }

    /** Count and CRC32C of records' offsets, timestamps, keys, values and headers, in order. */
    static final class RecordDigest {
        private final CRC32C crc = new CRC32C();
        private final ByteBuffer numbers = ByteBuffer.allocate(Long.BYTES * 2 + 1);
        private long count;

        void add(BackupRecord record) {
            count++;
            numbers.clear();
            numbers.putLong(record.offset()).putLong(record.timestamp()).put((byte) record.timestampKind().ordinal());
            crc.update(numbers.array(), 0, numbers.position());
            bytes(record.key());
            bytes(record.value());
            for (BackupHeader header : record.headers()) {
                bytes(header.key().getBytes(StandardCharsets.UTF_8));
                bytes(header.value());
            }
        }

        private void bytes(byte[] value) {
            numbers.clear();
            numbers.putLong(value == null ? -1 : value.length);
            crc.update(numbers.array(), 0, Long.BYTES);
            if (value != null) {
                crc.update(value);
            }
        }

        long crc() {
            return crc.getValue();
        }
    }
}
