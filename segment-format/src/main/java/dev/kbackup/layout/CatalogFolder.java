package dev.kbackup.layout;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps a partition's catalog small, like a table format's commit log with checkpoints: once {@code fanout}
 * pieces (one per publication) have gathered, their entries are written as one fold; once {@code fanout} folds
 * have gathered, theirs are written as one checkpoint, with a new history summary that adds them to the previous
 * one. Checkpoints are never folded again, so a window's planner reads only those that overlap it.
 *
 * <p>Every step creates before it deletes: the new object (and the history summary) exists before the objects it
 * replaces are deleted, and only objects whose entries it holds are deleted. Readers list {@code index/} before
 * {@code checkpoints/} and list again if a listed object is gone, so they always find an entry in one place or the
 * other. Two writers folding at once create duplicates, never losses; a piece another writer created during a
 * fold is left for the next one.
 */
public final class CatalogFolder {

    private static final Logger log = LoggerFactory.getLogger(CatalogFolder.class);
    static final int DEFAULT_FANOUT = 16;

    private final BackupCatalog catalog;
    private final int fanout;

    CatalogFolder(BackupCatalog catalog, int fanout) {
        if (fanout < 2) {
            throw new IllegalArgumentException("A catalog fanout must be at least 2, not " + fanout);
        }
        this.catalog = catalog;
        this.fanout = fanout;
    }

    int fanout() {
        return fanout;
    }

    /**
     * What a fold did: the objects it created, and how many pieces it left in {@code index/} (fewer than the
     * fanout), so that a publisher can count its own pieces from there and list again only when a fold is due.
     */
    public record Outcome(List<CatalogObject> created, int piecesLeft) {
    }

    /** Folds what has gathered in the partition's {@code index/} folder. */
    Outcome fold(String topic, int partition, Instant now) {
        PartitionCatalog listing = catalog.list(topic, partition, false);
        List<CatalogObject> created = new ArrayList<>();
        List<CatalogObject> pieces = listing.level(CatalogObject.Level.PIECE);
        try {
            List<CatalogObject> folds = new ArrayList<>(listing.level(CatalogObject.Level.FOLD));
            if (pieces.size() >= fanout) {
                CatalogObject fold = merge(CatalogObject.Level.FOLD, topic, partition, pieces, now);
                created.add(fold);
                delete(pieces);
                folds.add(fold);
            }
            if (folds.size() >= fanout) {
                created.addAll(checkpoint(topic, partition, folds, listing.history(), now));
                delete(folds);
                delete(listing.level(CatalogObject.Level.HISTORY));
            }
        } catch (BackupCatalog.ObjectGone e) {
            log.info("Another writer folded the catalog of {}-{} at the same time ({}); the next fold goes on",
                    topic, partition, e.getMessage());
        }
        return new Outcome(created, pieces.size() >= fanout ? 0 : pieces.size());
    }

    /** Writes the checkpoint of {@code folds} and the history summary that adds it to {@code previous}. */
    private List<CatalogObject> checkpoint(String topic, int partition, List<CatalogObject> folds,
                                           Optional<CatalogObject> previous, Instant now) {
        PartitionIndex entries = entries(topic, partition, folds, now);
        CatalogObject checkpoint = catalog.create(CatalogObject.Level.CHECKPOINT, entries);
        long after = previous.map(CatalogObject::lastOffset).orElse(-1L);
        // only entries beyond the previous summary are new to it: a late duplicate is not counted twice
        List<SegmentInfo> added = entries.segments().stream().filter(entry -> entry.firstOffset() > after).toList();
        CatalogObject step = added.isEmpty() ? null : CatalogObject.of(CatalogObject.Level.HISTORY, topic, partition,
                added, "x");
        if (step == null) {
            return List.of(checkpoint);
        }
        CatalogObject history = previous.map(prior -> new CatalogObject(CatalogObject.Level.HISTORY, topic,
                partition, Math.min(prior.firstOffset(), step.firstOffset()), Math.max(prior.lastOffset(),
                step.lastOffset()), Math.min(prior.minTimestamp(), step.minTimestamp()),
                Math.max(prior.maxTimestamp(), step.maxTimestamp()), prior.segmentCount() + step.segmentCount(),
                prior.recordCount() + step.recordCount(), prior.sizeBytes() + step.sizeBytes(), writer()))
                .orElse(new CatalogObject(CatalogObject.Level.HISTORY, topic, partition, step.firstOffset(),
                        step.lastOffset(), step.minTimestamp(), step.maxTimestamp(), step.segmentCount(),
                        step.recordCount(), step.sizeBytes(), writer()));
        // the summary's content is only its identity: everything it says is in its key
        catalog.store().put(history.key(catalog.layout()), Json.write(new PartitionIndex(topic, partition, now,
                List.of())), dev.kbackup.storage.WriteMode.CREATE_NEW);
        return List.of(checkpoint, history);
    }

    private CatalogObject merge(CatalogObject.Level level, String topic, int partition, List<CatalogObject> sources,
                                Instant now) {
        return catalog.create(level, entries(topic, partition, sources, now));
    }

    private PartitionIndex entries(String topic, int partition, List<CatalogObject> sources, Instant now) {
        List<SegmentInfo> entries = new ArrayList<>();
        for (CatalogObject source : sources) {
            entries.addAll(catalog.readObject(source).segments());
        }
        return new PartitionIndex(topic, partition, now, entries);
    }

    private void delete(List<CatalogObject> objects) {
        for (CatalogObject object : objects) {
            String key = object.key(catalog.layout());
            try {
                catalog.store().delete(key);
            } catch (StorageException e) {
                // harmless: its entries are in the object that replaced it; the next fold deletes it
                log.warn("Could not delete folded catalog object {}: {}", key, e.toString());
            }
        }
    }

    private static String writer() {
        return java.util.UUID.randomUUID().toString().replace("-", "");
    }
}
