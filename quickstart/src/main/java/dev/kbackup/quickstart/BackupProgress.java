package dev.kbackup.quickstart;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * How far a backup has got, read from storage the way the restore connector reads it: the manifest merged with
 * the partition indexes. A record is counted once its segment is complete and listed.
 */
final class BackupProgress {

    /** Totals over every listed segment. */
    record Totals(long records, long segments, long storedBytes, long uncompressedBytes) {

        double compressionRatio() {
            return storedBytes == 0 ? 0 : (double) uncompressedBytes / storedBytes;
        }

        String describe() {
            return String.format(Locale.ROOT, "%d records in %d segments: %s of records stored as %s (%.1fx)",
                    records, segments, Sizes.human(uncompressedBytes), Sizes.human(storedBytes), compressionRatio());
        }
    }

    private BackupProgress() {
    }

    static Totals read(Properties storage) {
        try (ObjectStore store = ObjectStores.open(StorageSettings.parse(QuickstartTool.asMap(storage)))) {
            BackupCatalog catalog = new BackupCatalog(store, new BackupLayout(storage.getProperty("backup.id")));
            long records = 0;
            long segments = 0;
            long stored = 0;
            long uncompressed = 0;
            for (Map<Integer, PartitionIndex> partitions : catalog.loadAll().values()) {
                for (PartitionIndex index : partitions.values()) {
                    for (SegmentInfo segment : index.segments()) {
                        records += segment.recordCount();
                        segments++;
                        stored += segment.sizeBytes();
                        uncompressed += segment.uncompressedBytes();
                    }
                }
            }
            return new Totals(records, segments, stored, uncompressed);
        }
    }

    /** Waits until the backup lists {@code expected} records; prints progress; false on timeout. */
    static boolean await(Properties storage, long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastShown = -1;
        while (true) {
            Totals totals;
            try {
                totals = read(storage);
            } catch (RuntimeException e) {
                totals = new Totals(0, 0, 0, 0);
                if (System.nanoTime() > deadline) {
                    System.out.println("Could not read the backup: " + e.getMessage());
                    return false;
                }
            }
            if (totals.records() >= expected) {
                System.out.println("Backup caught up: " + totals.describe());
                return totals.records() == expected;
            }
            if (totals.records() != lastShown) {
                System.out.printf(Locale.ROOT, "  backup holds %d of %d records%n", totals.records(), expected);
                lastShown = totals.records();
            }
            if (System.nanoTime() > deadline) {
                System.out.printf(Locale.ROOT, "The backup holds %d of %d records after %d s%n", totals.records(),
                        expected, timeout.toSeconds());
                return false;
            }
            Thread.sleep(1000);
        }
    }
}
