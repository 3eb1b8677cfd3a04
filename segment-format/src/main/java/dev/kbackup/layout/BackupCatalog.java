package dev.kbackup.layout;

import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.ObjectExistsException;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Reads and publishes what a backup holds: the manifest (what the backup is), each partition's catalog (the
 * authority on segments) and recovery of complete segments that a crash left out of the catalog.
 *
 * <p>Publication is lost-update-free under any number of concurrent writers (old and new owners of a partition,
 * zombies), with or without conditional writes in the store, because nothing is ever rewritten: each publication
 * creates a piece holding the entries it adds under a key no other write uses ({@link CatalogObject}). To keep
 * readers' cost independent of the backup's age, the owner folds pieces into folds and folds into checkpoints
 * ({@link CatalogFolder}); an object is deleted only after an object holding all its entries was created. Entries
 * are facts about immutable segment objects, so duplicates across objects agree and the union is order-free. A
 * reader that finds a listed object deleted lists again: the object that replaced it was created first.
 */
public final class BackupCatalog {

    private static final Logger log = LoggerFactory.getLogger(BackupCatalog.class);
    /** Listings a reader retries when folds delete what it listed, before it gives up. */
    private static final int READ_ATTEMPTS = 20;

    private final ObjectStore store;
    private final BackupLayout layout;
    private final CatalogFolder folder;

    public BackupCatalog(ObjectStore store, BackupLayout layout) {
        this(store, layout, CatalogFolder.DEFAULT_FANOUT);
    }

    /** @param fanout how many pieces make a fold, and how many folds a checkpoint */
    public BackupCatalog(ObjectStore store, BackupLayout layout, int fanout) {
        this.store = store;
        this.layout = layout;
        this.folder = new CatalogFolder(this, fanout);
    }

    public BackupLayout layout() {
        return layout;
    }

    ObjectStore store() {
        return store;
    }

    /**
     * The backup's manifest with a summary of every partition that has a catalog (read from the keys of the
     * {@code index/} folder: O(topics x partitions) keys, no object read), or empty if there is no manifest (the
     * backup id is wrong or nothing was published yet).
     *
     * @throws IllegalStateException if it was written in a catalog format this reader does not know
     */
    public Optional<Manifest> readManifest() {
        return readStoredManifest().map(manifest -> manifest.withTopics(summaries()));
    }

    private Optional<Manifest> readStoredManifest() {
        Optional<Manifest> manifest = readJson(layout.manifestKey(), Manifest.class);
        manifest.ifPresent(found -> {
            if (found.formatVersion() != Manifest.FORMAT_VERSION) {
                throw new IllegalStateException("Manifest " + layout.manifestKey() + " in " + store.describe()
                        + " has catalog format version " + found.formatVersion() + "; this connector reads version "
                        + Manifest.FORMAT_VERSION + " only (" + versionHint(found.formatVersion()) + "). Use the "
                        + "kbackup version that wrote the backup, or back up under a new backup.id");
            }
        });
        return manifest;
    }

    private static String versionHint(int found) {
        return found < Manifest.FORMAT_VERSION
                ? "versions 1 and 2 are read by kbackup 0.1.0 snapshots built before the checkpointed catalog"
                : "version " + found + " was written by a newer kbackup, which reads it";
    }

    /** Per topic and partition, the summary its catalog keys give; lists {@code index/} only. */
    public Map<String, Map<Integer, PartitionSummary>> summaries() {
        Map<String, Map<Integer, PartitionSummary>> summaries = new TreeMap<>();
        listAll(false).forEach((topic, partitions) -> partitions.forEach((partition, listing) -> summaries
                .computeIfAbsent(topic, t -> new TreeMap<>()).put(partition, listing.summary(layout))));
        return summaries;
    }

    /** The summary of one partition's catalog, or empty if nothing was ever published for it. */
    public Optional<PartitionSummary> summary(String topic, int partition) {
        PartitionCatalog listing = list(topic, partition, false);
        return listing.isEmpty() ? Optional.empty() : Optional.of(listing.summary(layout));
    }

    /**
     * Creates the manifest if there is none (it says what the backup is and is never rewritten; the entries are
     * published with {@link #publishIndex}) and returns it as {@link #readManifest} does. {@code indexes} are
     * not written here: they were published as pieces.
     */
    public Manifest publishManifest(Collection<PartitionIndex> indexes, SourceCluster source, Instant now) {
        if (readStoredManifest().isEmpty()) {
            try {
                store.put(layout.manifestKey(), Json.write(Manifest.create(layout.backupId(), now, source)),
                        WriteMode.CREATE_NEW);
            } catch (ObjectExistsException e) {
                log.debug("Manifest {} was created concurrently", layout.manifestKey());
            }
        }
        return readManifest().orElseThrow();
    }

    /** The partition's whole index: every entry of every catalog object, or empty if it has none. Reads them all. */
    public Optional<PartitionIndex> readIndex(String topic, int partition) {
        return withRetries(topic, partition, true, (listing, alreadyRead) -> listing.isEmpty() ? Optional.empty()
                : Optional.of(read(listing, listing.holders(), alreadyRead)));
    }

    /**
     * The entries a restore of {@code window} needs, reading only the catalog objects whose timestamps overlap it
     * (and the one before, see {@link PartitionCatalog#forWindow}), plus complete segments stored after the
     * catalog's last entry that it does not list yet. Empty index if nothing overlaps.
     */
    public PartitionIndex readWindow(String topic, int partition, TimeWindow window) {
        return withRetries(topic, partition, true, (listing, alreadyRead) -> readWindow(listing, window,
                alreadyRead));
    }

    /**
     * The objects {@link PartitionCatalog#forWindow} picks plus the segments stored after the catalog's end. When
     * the window ends before the catalog does, the catalog objects after it are not read, so segments stored after
     * the catalog's end are added only if they hold records of the window (a producer's out-of-order timestamps),
     * and then with every object after the window, so that nothing between looks missing.
     */
    private PartitionIndex readWindow(PartitionCatalog listing, TimeWindow window,
                                      Map<CatalogObject, PartitionIndex> alreadyRead) {
        List<CatalogObject> picked = listing.forWindow(window);
        PartitionIndex known = read(listing, picked, alreadyRead);
        PartitionIndex withTail = withSegmentsAfter(known, listing.lastOffset());
        List<CatalogObject> holders = listing.holders();
        if (picked.isEmpty() || picked.get(picked.size() - 1).equals(holders.get(holders.size() - 1))) {
            return withTail;
        }
        boolean tailInWindow = withTail.segments().stream().filter(segment -> !known.contains(segment.key()))
                .anyMatch(segment -> window.overlaps(segment.minTimestamp(), segment.maxTimestamp()));
        if (!tailInWindow) {
            return known;
        }
        PartitionIndex throughEnd = read(listing, holders.subList(holders.indexOf(picked.get(0)), holders.size()),
                alreadyRead);
        return withSegmentsAfter(throughEnd, listing.lastOffset());
    }

    /**
     * The partition's entries that reach past {@code afterOffset} (not expired), for a restore that follows the
     * backup: reads only the catalog objects whose last offset is above it. Lists the partition's {@code index/}
     * folder (kept small by folding), and its {@code checkpoints/} folder only when the history summary says a
     * checkpoint reaches past {@code afterOffset} and no object of {@code index/} continues right after it (a
     * reader that fell a whole checkpoint behind). Does not look for segments the catalog does not list yet.
     */
    public PartitionIndex readAfter(String topic, int partition, long afterOffset) {
        return withRetries(topic, partition, false, (listing, alreadyRead) -> {
            boolean behindCheckpoint = listing.history().filter(h -> h.lastOffset() > afterOffset).isPresent()
                    && listing.holders().stream().noneMatch(object -> object.lastOffset() > afterOffset
                            && object.firstOffset() <= afterOffset + 1);
            if (behindCheckpoint) {
                addListed(layout.partitionCheckpointPrefix(topic, partition), listing);
            }
            List<CatalogObject> newer = listing.holders().stream()
                    .filter(object -> object.lastOffset() > afterOffset).toList();
            PartitionIndex read = read(listing, newer, alreadyRead);
            return new PartitionIndex(topic, partition, read.updatedAt(), read.segments().stream()
                    .filter(entry -> entry.lastOffset() > afterOffset).toList());
        });
    }

    /** Reads the entries of {@code objects}; throws {@link ObjectGone} if one was deleted since it was listed. */
    private PartitionIndex read(PartitionCatalog listing, List<CatalogObject> objects) {
        return read(listing, objects, new HashMap<>());
    }

    /**
     * {@link #read(PartitionCatalog, List)} that takes objects already read by an earlier listing from
     * {@code alreadyRead} (objects never change, so a retry only reads what is new) and adds what it reads.
     */
    private PartitionIndex read(PartitionCatalog listing, List<CatalogObject> objects,
                                Map<CatalogObject, PartitionIndex> alreadyRead) {
        List<SegmentInfo> entries = new ArrayList<>();
        Instant updatedAt = null;
        for (CatalogObject object : objects) {
            PartitionIndex held = alreadyRead.get(object);
            if (held == null) {
                held = readObject(object);
                alreadyRead.put(object, held);
            }
            held.segments().stream().filter(entry -> listing.retention()
                    .map(mark -> !mark.expires(entry.maxTimestamp())).orElse(true)).forEach(entries::add);
            if (held.updatedAt() != null && (updatedAt == null || held.updatedAt().isAfter(updatedAt))) {
                updatedAt = held.updatedAt();
            }
        }
        // a merged segment replaces the entries of its sources (see SegmentCompaction)
        return new PartitionIndex(listing.topic(), listing.partition(), updatedAt,
                SegmentCompaction.withoutReplaced(entries));
    }

    /** The entries of one catalog object. */
    PartitionIndex readObject(CatalogObject object) {
        String key = object.key(layout);
        PartitionIndex held = readJson(key, PartitionIndex.class).orElseThrow(() -> new ObjectGone(key));
        if (!held.topic().equals(object.topic()) || held.partition() != object.partition()) {
            throw new IllegalStateException("Catalog object " + key + " in " + store.describe() + " describes "
                    + held.topic() + "-" + held.partition() + " but sits in the folder of " + object.topic() + "-"
                    + object.partition() + ": it was copied or renamed by hand; move it back or delete it");
        }
        return held;
    }

    /** A listed catalog object that a fold deleted before it could be read. */
    static final class ObjectGone extends RuntimeException {
        ObjectGone(String key) {
            super("Catalog object " + key + " was deleted after it was listed", null, false, false);
        }
    }

    /**
     * Lists the partition and reads it with {@code read}, listing again when a listed object was deleted meanwhile
     * (a concurrent fold); objects read before are not read again.
     */
    private <T> T withRetries(String topic, int partition, boolean checkpoints,
                              BiFunction<PartitionCatalog, Map<CatalogObject, PartitionIndex>, T> read) {
        Map<CatalogObject, PartitionIndex> alreadyRead = new HashMap<>();
        ObjectGone gone = null;
        for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
            try {
                return read.apply(list(topic, partition, checkpoints), alreadyRead);
            } catch (ObjectGone e) {
                gone = e;
            }
        }
        throw new IllegalStateException("The catalog of " + topic + "-" + partition + " in " + store.describe()
                + " changed under " + READ_ATTEMPTS + " listings in a row (" + gone.getMessage() + "); retry, or "
                + "look for several writers folding it at once", gone);
    }

    /** One partition's catalog; {@code index/} is listed before {@code checkpoints/} (see {@link CatalogFolder}). */
    PartitionCatalog list(String topic, int partition, boolean checkpoints) {
        PartitionCatalog listing = new PartitionCatalog(topic, partition);
        addListed(layout.partitionIndexPrefix(topic, partition), listing);
        if (checkpoints) {
            addListed(layout.partitionCheckpointPrefix(topic, partition), listing);
        }
        return listing;
    }

    private void addListed(String prefix, PartitionCatalog listing) {
        store.list(prefix, null).forEachRemaining(found -> {
            CatalogObject.parse(found.key()).filter(object -> object.topic().equals(listing.topic())
                    && object.partition() == listing.partition()).ifPresent(listing::add);
            RetentionMark.parse(found.key()).filter(mark -> mark.topic().equals(listing.topic())
                    && mark.partition() == listing.partition()).ifPresent(listing::add);
            CompactionMark.parse(found.key()).filter(mark -> mark.topic().equals(listing.topic())
                    && mark.partition() == listing.partition()).ifPresent(listing::add);
        });
    }

    /** Every partition's catalog, from one listing of {@code index/} and, if asked, one of {@code checkpoints/}. */
    private Map<String, Map<Integer, PartitionCatalog>> listAll(boolean checkpoints) {
        Map<String, Map<Integer, PartitionCatalog>> all = new TreeMap<>();
        addAllListed(layout.indexPrefix(), all);
        if (checkpoints) {
            addAllListed(layout.checkpointsPrefix(), all);
        }
        return all;
    }

    private void addAllListed(String prefix, Map<String, Map<Integer, PartitionCatalog>> all) {
        store.list(prefix, null).forEachRemaining(found -> {
            CatalogObject.parse(found.key()).ifPresent(object -> partitionOf(all, object.topic(), object.partition())
                    .add(object));
            RetentionMark.parse(found.key()).ifPresent(mark -> partitionOf(all, mark.topic(), mark.partition())
                    .add(mark));
        });
    }

    private static PartitionCatalog partitionOf(Map<String, Map<Integer, PartitionCatalog>> all, String topic,
                                                int partition) {
        return all.computeIfAbsent(topic, t -> new TreeMap<>())
                .computeIfAbsent(partition, p -> new PartitionCatalog(topic, p));
    }

    private <T> Optional<T> readJson(String key, Class<T> type) {
        return store.readIfExists(key).map(bytes -> Json.read(bytes, type, store.describe() + "/" + key));
    }

    /**
     * Adds the entries of {@code index} to its partition's catalog by creating a new piece that holds exactly
     * them; nothing stored is read or replaced, so no concurrent publication can undo this one or be undone by
     * it. Returns the piece (the entries published, stamped {@code now}); an empty index publishes nothing.
     */
    public PartitionIndex publishIndex(PartitionIndex index, Instant now) {
        PartitionIndex piece = new PartitionIndex(index.topic(), index.partition(), now, index.segments());
        if (!piece.segments().isEmpty()) {
            create(CatalogObject.Level.PIECE, piece);
        }
        return piece;
    }

    /** Creates the object of {@code level} holding the entries of {@code content} (not empty). */
    CatalogObject create(CatalogObject.Level level, PartitionIndex content) {
        CatalogObject object = CatalogObject.of(level, content.topic(), content.partition(), content.segments(),
                UUID.randomUUID().toString().replace("-", ""));
        store.put(object.key(layout), Json.write(content), WriteMode.CREATE_NEW);
        return object;
    }

    /**
     * The partition's newest retention mark: segments whose newest record is older than its cutoff expired at its
     * time. Empty if nothing ever expired. Lists the partition's {@code index/} folder.
     */
    public Optional<RetentionMark> retention(String topic, int partition) {
        return list(topic, partition, false).retention();
    }

    /**
     * Applies {@code retention} to the partition as its owner: marks segments whose newest record is older than
     * {@code now - retention} as expired, and deletes what marks older than the grace expired (segments first,
     * then catalog objects that hold only expired entries). Returns what it did. See {@link CatalogRetention}.
     */
    public CatalogRetention.Outcome expire(String topic, int partition, Duration retention, Duration grace,
                                           Instant now) {
        return new CatalogRetention(this).expire(topic, partition, retention, grace, now);
    }

    /**
     * Folds the partition's pieces and folds when enough have gathered (see {@link CatalogFolder}), so that what
     * readers list and read stays bounded. Safe to run by several writers at once. Lists the partition's
     * {@code index/} folder every time: see {@link #foldFanout} for when a publisher can skip it.
     */
    public CatalogFolder.Outcome checkpoint(String topic, int partition, Instant now) {
        return folder.fold(topic, partition, now);
    }

    /**
     * How many pieces make a fold: while a partition holds fewer, {@link #checkpoint} would only list it. A
     * publisher that counts the pieces it wrote since a fold's {@code piecesLeft} can skip those listings.
     */
    public int foldFanout() {
        return folder.fanout();
    }

    /**
     * The partition's newest entries (those of the catalog object reaching the highest offset, expired or not) plus
     * every complete segment stored after the catalog's last entry that it does not list yet (a task can die
     * between completing a segment and publishing it); those segments are published as a new piece. Reads at most
     * one catalog object and lists only this partition. {@link #resumeAfter} says where the backup continues.
     */
    public PartitionIndex recover(String topic, int partition) {
        return withRetries(topic, partition, true, (listing, alreadyRead) -> recover(listing));
    }

    /**
     * The highest offset the partition's backup holds (-1 if none), after recovering unpublished segments as
     * {@link #recover} does; known even when retention deleted every entry. Two listings (its {@code index/}
     * folder and its segments after the catalog's end), no catalog object read.
     */
    public long resumeAfter(String topic, int partition) {
        return resumeAfter(topic, partition, list(topic, partition, false).lastOffset());
    }

    /**
     * Where each partition's catalog ends (its highest offset) for every partition of {@code topic} that has a
     * catalog, from the keys of one listing of the topic's {@code index/} folder: a few keys per partition
     * however old the backup (pieces, folds, marks and the history summary), so one page of 1,000 keys serves
     * dozens of partitions where {@link #resumeAfter(String, int)} lists each. A fold writes the history summary
     * before it deletes what it folded into a checkpoint, so {@code index/} alone always knows the end.
     */
    public Map<Integer, Long> catalogEnds(String topic) {
        Map<String, Map<Integer, PartitionCatalog>> listed = new TreeMap<>();
        addAllListed(layout.topicIndexPrefix(topic), listed);
        Map<Integer, Long> ends = new TreeMap<>();
        listed.getOrDefault(topic, Map.of()).forEach((partition, listing) -> ends.put(partition,
                listing.lastOffset()));
        return ends;
    }

    /**
     * The highest offset the partition's backup holds (-1 if none), given where its catalog ends
     * ({@link #catalogEnds}, -1 for none): complete segments stored above that end (a task can die between
     * completing a segment and publishing it) are published as a new piece first. One listing of the partition's
     * segments after the end, which is normally empty.
     */
    public long resumeAfter(String topic, int partition, long catalogEnd) {
        return Math.max(catalogEnd, publishUnlisted(PartitionIndex.empty(topic, partition), catalogEnd).lastOffset());
    }

    private PartitionIndex recover(PartitionCatalog listing) {
        // unfiltered: where the backup continues does not depend on what retention expired
        PartitionIndex newest = listing.newest().map(this::readObject)
                .orElse(PartitionIndex.empty(listing.topic(), listing.partition()));
        return publishUnlisted(newest, listing.lastOffset());
    }

    /**
     * {@code newest} plus the complete segments stored above {@code lastOffset}, the catalog's last offset; those
     * are in no catalog object (each starts above every entry), so they are published as a new piece.
     */
    private PartitionIndex publishUnlisted(PartitionIndex newest, long lastOffset) {
        PartitionIndex complete = withSegmentsAfter(newest, lastOffset);
        List<SegmentInfo> found = complete.segments().stream()
                .filter(segment -> !newest.contains(segment.key())).toList();
        if (!found.isEmpty()) {
            publishIndex(new PartitionIndex(newest.topic(), newest.partition(), null, found), Instant.now());
        }
        return complete;
    }

    /**
     * {@code index} plus the complete segments stored after its last entry that it does not list: what a restore
     * must read so that segments written since the last publication are not missed. Such segments are read whole
     * once, to check them and compute their checksum. Lists only this partition's keys; writes nothing.
     */
    public PartitionIndex withUnindexedSegments(PartitionIndex index) {
        // a merged entry stands for every segment key up to its last offset: the segments it replaced sort after it
        String startAfter = index.segments().stream().map(entry -> BackupLayout.isMergedSegmentKey(entry.key())
                ? layout.partitionSegmentsPrefix(index.topic(), index.partition())
                + String.format("%020d", entry.lastOffset()) + "~" : entry.key()).max(String::compareTo).orElse(null);
        return withSegmentsListedAfter(index, startAfter);
    }

    /** {@code index} plus the complete segments whose first offset is above {@code lastOffset} (-1: all). */
    private PartitionIndex withSegmentsAfter(PartitionIndex index, long lastOffset) {
        // '~' sorts after the '.' of an extension: the listing starts at the first key above lastOffset's
        String startAfter = lastOffset < 0 ? null : layout.partitionSegmentsPrefix(index.topic(), index.partition())
                + String.format("%020d", lastOffset) + "~";
        return withSegmentsListedAfter(index, startAfter);
    }

    private PartitionIndex withSegmentsListedAfter(PartitionIndex index, String startAfter) {
        Iterator<ObjectInfo> listed = store.list(layout.partitionSegmentsPrefix(index.topic(), index.partition()),
                startAfter);
        PartitionIndex result = index;
        while (listed.hasNext()) {
            ObjectInfo object = listed.next();
            if (BackupLayout.parseSegmentKey(object.key()).isEmpty() || result.contains(object.key())) {
                continue;
            }
            SegmentInfo segment = describe(object);
            log.info("Found segment {} ({} records, offsets {}..{}) in {} that the catalog of {}-{} did not list yet",
                    object.key(), segment.recordCount(), segment.firstOffset(), segment.lastOffset(),
                    store.describe(), index.topic(), index.partition());
            result = result.with(segment, result.updatedAt());
        }
        return result;
    }

    /** Reads a stored segment whole, checking every block, and returns what the catalog records about it. */
    public SegmentInfo describe(ObjectInfo object) {
        StoredSegment stored = new StoredSegment(store, object.key(), object.size());
        try (SegmentReader reader = stored.openWhole()) {
            while (reader.nextBlock() != null) {
                continue;
            }
            SegmentFooter footer = reader.footer();
            return new SegmentInfo(object.key(), footer.topic(), footer.partition(), footer.codec(),
                    footer.firstOffset(), footer.lastOffset(), footer.recordCount(), footer.minTimestamp(),
                    footer.maxTimestamp(), object.size(), footer.uncompressedBytes(), reader.bytesChecksum(),
                    footer.blocks().size(), footer.coversFrom());
        }
    }

    /**
     * Every partition of the backup with every entry of its catalog, plus partitions that hold segments but no
     * catalog yet (a backup task that died before its first publication), found by listing topic and partition
     * folders. Keyed by topic then partition. Reads the whole catalog: for a restore, {@link #loadWindow} reads
     * only what a window needs.
     */
    public Map<String, Map<Integer, PartitionIndex>> loadAll() {
        return load(TimeWindow.ALL, false);
    }

    /** {@link #loadAll()}; the manifest is no longer needed to find the entries (kept for existing callers). */
    public Map<String, Map<Integer, PartitionIndex>> loadAll(Manifest manifest) {
        return loadAll();
    }

    /**
     * Every partition of the backup with the entries a restore of {@code window} needs ({@link #readWindow}),
     * including segments stored after each catalog's last entry and partitions that have no catalog yet.
     * Partitions with nothing in the window are present with an empty index.
     */
    public Map<String, Map<Integer, PartitionIndex>> loadWindow(TimeWindow window) {
        return load(window, true);
    }

    private Map<String, Map<Integer, PartitionIndex>> load(TimeWindow window, boolean tails) {
        Map<String, Map<Integer, PartitionIndex>> all = new TreeMap<>();
        listAll(true).forEach((topic, partitions) -> partitions.forEach((partition, listing) -> {
            PartitionIndex index;
            try {
                index = tails ? readWindow(listing, window, new HashMap<>()) : read(listing, listing.holders());
            } catch (ObjectGone e) {
                index = tails ? readWindow(topic, partition, window)
                        : readIndex(topic, partition).orElse(PartitionIndex.empty(topic, partition));
            }
            all.computeIfAbsent(topic, t -> new TreeMap<>()).put(partition, index);
        }));
        addUncataloguedPartitions(all);
        return all;
    }

    private void addUncataloguedPartitions(Map<String, Map<Integer, PartitionIndex>> all) {
        for (String topic : store.listFolders(layout.topicsPrefix())) {
            for (String folder : store.listFolders(layout.topicsPrefix() + topic + "/")) {
                Integer partition = BackupLayout.parsePartitionFolder(folder).orElse(null);
                if (partition == null || all.getOrDefault(topic, Map.of()).containsKey(partition)) {
                    continue;
                }
                PartitionIndex found = withUnindexedSegments(PartitionIndex.empty(topic, partition));
                if (!found.segments().isEmpty()) {
                    all.computeIfAbsent(topic, t -> new TreeMap<>()).put(partition, found);
                }
            }
        }
    }
}
