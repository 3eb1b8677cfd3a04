package dev.kbackup.cli;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.Manifest;
import dev.kbackup.layout.PartitionIndex;
import picocli.CommandLine.Command;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code kbackup list}: every backup under the storage prefix, one line each. */
@Command(name = "list", description = "Lists every backup under the storage prefix: topics, partitions, records, "
        + "stored bytes, compression, time range, last update and whether a backup job is alive.")
final class ListCommand extends BackupCommand {

    /** One backup; times are null when unknown. */
    record BackupSummary(String backupId, List<String> topics, int partitions, long records, long storedBytes,
                         long uncompressedBytes, double compressionRatio, Instant firstTimestamp,
                         Instant lastTimestamp, Instant lastUpdate, boolean alive, int tasks) {
    }

    record Report(String storage, List<BackupSummary> backups) {
    }

    @Override
    int run(BackupStore backups) {
        List<BackupSummary> summaries = new ArrayList<>();
        for (String id : backups.backupIds()) {
            summaries.add(summarize(backups, id));
        }
        if (options.json()) {
            printJson(new Report(backups.describe(), summaries));
            return 0;
        }
        if (summaries.isEmpty()) {
            out().println("No backups in " + backups.describe());
            return 0;
        }
        Table table = new Table("BACKUP", "TOPICS>", "PARTITIONS>", "RECORDS>", "STORED>", "RATIO>", "FIRST RECORD",
                "LAST RECORD", "LAST UPDATE", "JOB");
        for (BackupSummary backup : summaries) {
            table.row(backup.backupId(), backup.topics().size(), backup.partitions(), backup.records(),
                    Units.mib(backup.storedBytes()), Units.ratio(backup.compressionRatio()),
                    Units.time(backup.firstTimestamp()), Units.time(backup.lastTimestamp()),
                    Units.time(backup.lastUpdate()), backup.tasks() == 0 ? "-" : backup.alive() ? "alive" : "stopped");
        }
        table.print(out());
        return 0;
    }

    private BackupSummary summarize(BackupStore backups, String id) {
        BackupCatalog catalog = backups.catalog(id);
        Optional<Manifest> manifest = catalog.readManifest();
        Map<String, Map<Integer, PartitionIndex>> all = catalog.loadAll(manifest.orElse(null));
        List<PartitionIndex> partitions = all.values().stream().map(Map::values).flatMap(Collection::stream).toList();
        long stored = partitions.stream().mapToLong(PartitionIndex::sizeBytes).sum();
        long uncompressed = partitions.stream().flatMap(index -> index.segments().stream())
                .mapToLong(SegmentInfo::uncompressedBytes).sum();
        Instant lastUpdate = partitions.stream().map(PartitionIndex::updatedAt).filter(time -> time != null)
                .max(Instant::compareTo).orElse(null);
        Instant manifestUpdate = manifest.map(Manifest::updatedAt).orElse(null);
        if (manifestUpdate != null && (lastUpdate == null || manifestUpdate.isAfter(lastUpdate))) {
            lastUpdate = manifestUpdate;
        }
        List<SideStores.TaskState> tasks;
        try {
            tasks = SideStores.read(backups.store(), catalog.layout(), backups.aliveWithin(), clock.instant());
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // one unreadable side-store copy must not hide every backup: say so and list this one without a job
            err().println("kbackup list: backup " + id + ": " + e.getMessage());
            tasks = List.of();
        }
        return new BackupSummary(id, List.copyOf(all.keySet()), partitions.size(),
                partitions.stream().mapToLong(PartitionIndex::recordCount).sum(), stored, uncompressed,
                stored == 0 ? 0 : (double) uncompressed / stored,
                Units.instant(partitions.stream().mapToLong(PartitionIndex::minTimestamp).min().orElse(Long.MAX_VALUE)),
                Units.instant(partitions.stream().mapToLong(PartitionIndex::maxTimestamp).max().orElse(Long.MIN_VALUE)),
                lastUpdate, tasks.stream().anyMatch(SideStores.TaskState::alive), tasks.size());
    }
}
