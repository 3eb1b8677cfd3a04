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
import dev.kbackup.memory.HeapCost;
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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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

    /** Where a merge's buffers are counted while it runs, such as the sink task's memory budget. */
    public interface MergeMemory {
        MergeMemory UNCOUNTED = new MergeMemory() {
            @Override
            public void hold() {
            }

            @Override
            public void release() {
            }
        };

        /** A merge is about to allocate its buffers. */
        void hold();

        /** The merge ended (whatever the outcome) and its buffers are garbage. */
        void release();
    }

    private final BackupCatalog catalog;
    private final Settings settings;
    private final MergeMemory memory;

    /**
     * The most heap one merge holds, as G1 counts it: a block read (compressed and decoded), a block written (its
     * buffer and the compressed copy) and the upload's part buffers ({@code uploadPartBytes} each, being filled and
     * spare; 0 for a store that streams, like the filesystem).
     */
    public static long mergeHeapBytes(Settings settings, long uploadPartBytes) {
        long block = HeapCost.ofArray(settings.blockBytes() * 2L);
        return 4 * block + (uploadPartBytes == 0 ? 0 : 2 * HeapCost.ofArray(uploadPartBytes));
    }

    public SegmentCompaction(BackupCatalog catalog, Settings settings) {
        this(catalog, settings, MergeMemory.UNCOUNTED);
    }

    public SegmentCompaction(BackupCatalog catalog, Settings settings, MergeMemory memory) {
        this.catalog = catalog;
        this.settings = settings;
        this.memory = memory;
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
     * first run of at least two eligible adjacent segments (at most one merge: that is the bandwidth limit). Reads
     * only the catalog objects reaching the partition's settled offset ({@link CompactionMark}) or beyond, and moves
     * that offset up when the scan settles more.
     *
     * @throws VerificationFailed if the merged segment does not hold exactly its sources' records (it is deleted
     *                            and the catalog is unchanged)
     */
    public Outcome compact(String topic, int partition, Instant now) {
        Optional<Unsettled> before = unsettled(topic, partition);
        int deleted = before.map(unsettled -> deleteReplaced(unsettled, now)).orElse(0);
        Optional<Unsettled> current = deleted == 0 ? before : unsettled(topic, partition);
        if (current.isEmpty()) {
            return new Outcome(Optional.empty(), List.of(), deleted); // folded meanwhile: the next run sees the fold
        }
        Unsettled unsettled = current.get();
        CompactionScan.Result scan = new CompactionScan(now.toEpochMilli() - settings.minAge().toMillis(),
                settings.targetBytes()).scan(unsettled.visible(), unsettled.listing().settledBelow());
        settle(unsettled, Math.min(scan.settledBelow(), unsettled.pendingFrom()));
        List<SegmentInfo> run = scan.run();
        if (run.isEmpty()) {
            return new Outcome(Optional.empty(), List.of(), deleted);
        }
        SegmentInfo merged;
        memory.hold();
        try {
            merged = merge(topic, partition, run);
        } finally {
            memory.release();
        }
        catalog.publishIndex(new PartitionIndex(topic, partition, now, List.of(merged)), now);
        log.info("Compacted {} segments of {}-{} (offsets {}..{}, {} records, {} bytes) into {} ({} bytes); the "
                        + "replaced segments are deleted after {} ms", run.size(), topic, partition,
                merged.firstOffset(), merged.lastOffset(), merged.recordCount(),
                run.stream().mapToLong(SegmentInfo::sizeBytes).sum(), merged.key(), merged.sizeBytes(),
                settings.grace().toMillis());
        return new Outcome(Optional.of(merged), run.stream().map(SegmentInfo::key).toList(), deleted);
    }

    /**
     * The part of a partition's catalog compaction still works on: the objects (not expired) reaching its settled
     * offset or beyond with their contents, the entries a reader sees among them, and the lowest first offset of an
     * entry a merged one replaces but that is still listed (its cleanup is pending; {@code Long.MAX_VALUE} if none).
     */
    private record Unsettled(PartitionCatalog listing, List<CatalogObject> objects, List<PartitionIndex> contents,
                             List<SegmentInfo> visible, long pendingFrom) {
    }

    /** Reads the unsettled part of the partition's catalog; empty if an object was deleted since it was listed. */
    private Optional<Unsettled> unsettled(String topic, int partition) {
        PartitionCatalog listing = catalog.list(topic, partition, true);
        long settledBelow = listing.settledBelow();
        List<CatalogObject> objects = listing.holders().stream()
                .filter(object -> object.lastOffset() >= settledBelow).toList();
        List<PartitionIndex> contents = new ArrayList<>();
        List<SegmentInfo> entries = new ArrayList<>();
        for (CatalogObject object : objects) {
            PartitionIndex content;
            try {
                content = catalog.readObject(object);
            } catch (BackupCatalog.ObjectGone e) {
                return Optional.empty();
            }
            contents.add(content);
            content.segments().stream().filter(entry -> listing.retention()
                    .map(mark -> !mark.expires(entry.maxTimestamp())).orElse(true)).forEach(entries::add);
        }
        List<SegmentInfo> visible = withoutReplaced(entries);
        Set<SegmentInfo> seen = new HashSet<>(visible);
        long pendingFrom = entries.stream().filter(entry -> !seen.contains(entry))
                .mapToLong(SegmentInfo::firstOffset).min().orElse(Long.MAX_VALUE);
        return Optional.of(new Unsettled(listing, objects, contents, visible, pendingFrom));
    }

    /** Records that everything below {@code settledBelow} is settled, if that is more than the catalog says. */
    private void settle(Unsettled unsettled, long settledBelow) {
        PartitionCatalog listing = unsettled.listing();
        if (settledBelow <= listing.settledBelow()) {
            return;
        }
        CompactionMark mark = new CompactionMark(listing.topic(), listing.partition(), settledBelow,
                UUID.randomUUID().toString().replace("-", ""));
        catalog.store().put(mark.key(catalog.layout()), new byte[0], WriteMode.CREATE_NEW);
        // the new mark says everything the older ones did
        listing.compactionMarks().forEach(older -> deleteQuietly(older.key(catalog.layout())));
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
    private int deleteReplaced(Unsettled unsettled, Instant now) {
        if (unsettled.pendingFrom() == Long.MAX_VALUE) {
            return 0;
        }
        String topic = unsettled.listing().topic();
        int partition = unsettled.listing().partition();
        List<CatalogObject> holders = unsettled.objects();
        List<PartitionIndex> held = unsettled.contents();
        List<SegmentInfo> due = new ArrayList<>();
        for (PartitionIndex content : held) {
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
