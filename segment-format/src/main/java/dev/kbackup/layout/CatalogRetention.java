package dev.kbackup.layout;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.storage.WriteMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Retention of one partition, run by its owner: segments whose newest record is older than {@code now - retention}
 * leave the catalog at once (a {@link RetentionMark}; readers skip them) and leave storage after the grace: their
 * segment objects are deleted, then the catalog objects that held them (a partly expired one after its live entries
 * were created as a new object). Nothing is rewritten, so it is as safe under concurrent owners as publication;
 * deleting an object twice is harmless.
 */
public final class CatalogRetention {

    private static final Logger log = LoggerFactory.getLogger(CatalogRetention.class);

    private final BackupCatalog catalog;

    CatalogRetention(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    /** What one run did: the mark it wrote (if any), and the segment and catalog objects it deleted. */
    public record Outcome(Optional<RetentionMark> marked, int segmentsDeleted, int catalogObjectsDeleted) {
    }

    Outcome expire(String topic, int partition, Duration retention, Duration grace, Instant now) {
        PartitionCatalog listing = catalog.list(topic, partition, true);
        long cutoff = now.toEpochMilli() - retention.toMillis();
        Optional<RetentionMark> current = listing.retention();
        Optional<RetentionMark> marked = Optional.empty();
        boolean somethingNewExpires = listing.holders().stream().anyMatch(object -> object.minTimestamp() < cutoff);
        if (somethingNewExpires && current.map(mark -> mark.cutoffTimestamp() < cutoff).orElse(true)) {
            RetentionMark mark = new RetentionMark(topic, partition, cutoff, now, listing.lastOffset(), writer());
            catalog.store().put(mark.key(catalog.layout()), new byte[0], WriteMode.CREATE_NEW);
            marked = Optional.of(mark);
            log.info("Segments of {}-{} whose newest record is before {} expired by retention ({} ms); they are "
                    + "deleted after {} ms", topic, partition, Instant.ofEpochMilli(cutoff), retention.toMillis(),
                    grace.toMillis());
        }
        // only marks older than the grace may delete: a restore that planned before the mark can still read
        marked.ifPresent(listing::add);
        Optional<RetentionMark> due = listing.marks().stream()
                .filter(mark -> !mark.expiredAt().plus(grace).isAfter(now)).findFirst();
        if (due.isEmpty()) {
            return new Outcome(marked, 0, 0);
        }
        return delete(listing, due.get(), marked);
    }

    private Outcome delete(PartitionCatalog listing, RetentionMark found, Optional<RetentionMark> marked) {
        int segments = 0;
        int objects = 0;
        RetentionMark due = found;
        if (listing.lastOffset() > found.lastOffset()) {
            // the objects about to go may hold the partition's newest entry: a mark keeps its offset first
            due = new RetentionMark(found.topic(), found.partition(), found.cutoffTimestamp(), found.expiredAt(),
                    listing.lastOffset(), writer());
            catalog.store().put(due.key(catalog.layout()), new byte[0], WriteMode.CREATE_NEW);
        }
        RetentionMark mark = due;
        List<CatalogObject> candidates = listing.allHolders().stream()
                .filter(object -> object.minTimestamp() < mark.cutoffTimestamp()).toList();
        for (CatalogObject object : candidates) {
            PartitionIndex held;
            try {
                held = catalog.readObject(object);
            } catch (BackupCatalog.ObjectGone e) {
                continue; // folded meanwhile: the fold holds its entries and is a candidate next time
            }
            for (SegmentInfo entry : held.segments()) {
                if (due.expires(entry.maxTimestamp())) {
                    catalog.store().delete(entry.key());
                    segments++;
                }
            }
            if (!due.expires(object.maxTimestamp())) {
                // partly expired: its live entries move to a new object first, so no later run reads it again
                List<SegmentInfo> live = held.segments().stream()
                        .filter(entry -> !mark.expires(entry.maxTimestamp())).toList();
                catalog.create(object.level(), new PartitionIndex(held.topic(), held.partition(), held.updatedAt(),
                        live));
            }
            catalog.store().delete(object.key(catalog.layout()));
            objects++;
        }
        // older marks say nothing the due one does not
        for (RetentionMark older : listing.marks()) {
            if (older.cutoffTimestamp() < due.cutoffTimestamp()
                    || older.cutoffTimestamp() == due.cutoffTimestamp() && older.lastOffset() < due.lastOffset()) {
                catalog.store().delete(older.key(catalog.layout()));
            }
        }
        if (segments > 0 || objects > 0) {
            log.info("Deleted {} segments and {} catalog objects of {}-{} that expired by retention at {}", segments,
                    objects, listing.topic(), listing.partition(), due.expiredAt());
        }
        return new Outcome(marked, segments, objects);
    }

    private static String writer() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
