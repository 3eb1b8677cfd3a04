package dev.kbackup.cli;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.ClusterSnapshot;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.layout.Manifest;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.storage.ObjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code kbackup describe <backup.id>}: what each topic-partition of a backup holds, from its catalog. */
@Command(name = "describe", description = "Shows, per topic and partition, the offsets, time range, segments, "
        + "records and bytes a backup holds, the gaps it recorded and any offsets no segment holds, and the cluster "
        + "snapshots it holds (times; groups, topics and ACLs of the newest).")
final class DescribeCommand extends BackupCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP_ID",
            description = "The backup (default: backup.id of the --config file).")
    String backupId;

    /**
     * Offsets no segment holds. {@code recorded}: a real gap the backup wrote down (compaction, transaction
     * markers, retention); otherwise offsets a missing segment held.
     */
    record Gap(long firstOffset, long lastOffset, boolean recorded, String segmentAfter) {
    }

    record PartitionDetail(String topic, int partition, long firstOffset, long lastOffset, Instant firstTimestamp,
                           Instant lastTimestamp, int segments, long records, long storedBytes,
                           long uncompressedBytes, Instant updatedAt, List<Gap> gaps) {
    }

    /**
     * The cluster snapshots held: every one's time (oldest first) and what the newest records; {@code newestAcls}
     * is null when it recorded no ACLs (snapshot.acls=false).
     */
    record Snapshots(int count, List<Instant> takenAt, String newestKey, Integer newestGroups, Integer newestTopics,
                     Integer newestAcls) {
    }

    record Report(String backupId, String storage, Instant createdAt, Instant updatedAt, String sourceClusterId,
                  String sourceBootstrapServers, List<PartitionDetail> partitions, Snapshots snapshots) {
    }

    @Override
    int run(BackupStore backups) {
        String id = backups.backupId(backupId);
        BackupCatalog catalog = backups.existingCatalog(id);
        Optional<Manifest> manifest = catalog.readManifest();
        List<PartitionDetail> details = new ArrayList<>();
        catalog.loadAll(manifest.orElse(null)).forEach((topic, partitions) -> partitions.values()
                .forEach(index -> details.add(detail(index))));
        Report report = new Report(id, backups.describe(), manifest.map(Manifest::createdAt).orElse(null),
                manifest.map(Manifest::updatedAt).orElse(null),
                manifest.map(m -> m.sourceCluster().clusterId()).orElse(null),
                manifest.map(m -> m.sourceCluster().bootstrapServers()).orElse(null), details,
                snapshots(backups.store(), catalog.layout()));
        if (options.json()) {
            printJson(report);
        } else {
            print(report);
        }
        return 0;
    }

    /** From one listing of the snapshots folder; only the newest snapshot is read. */
    private static Snapshots snapshots(ObjectStore store, BackupLayout layout) {
        List<Instant> times = new ArrayList<>();
        store.list(layout.snapshotsPrefix(), null).forEachRemaining(object -> BackupLayout
                .parseSnapshotKey(object.key()).ifPresent(millis -> times.add(Instant.ofEpochMilli(millis))));
        times.sort(null);
        Optional<ClusterSnapshots.Found> newest = times.isEmpty() ? Optional.empty()
                : new ClusterSnapshots(store, layout).atOrBefore(Long.MAX_VALUE);
        Optional<ClusterSnapshot> snapshot = newest.map(ClusterSnapshots.Found::snapshot);
        return new Snapshots(times.size(), times, newest.map(ClusterSnapshots.Found::key).orElse(null),
                snapshot.map(s -> s.groups().size()).orElse(null), snapshot.map(s -> s.topics().size()).orElse(null),
                snapshot.map(s -> s.acls() == null ? null : s.acls().size()).orElse(null));
    }

    static PartitionDetail detail(PartitionIndex index) {
        List<Gap> gaps = new ArrayList<>();
        for (SegmentInfo segment : index.segments()) {
            if (segment.coversFrom() < segment.firstOffset()) {
                gaps.add(new Gap(segment.coversFrom(), segment.firstOffset() - 1, true, segment.key()));
            }
        }
        for (MissingOffsets missing : MissingOffsets.between(index.segments())) {
            gaps.add(new Gap(missing.firstOffset(), missing.lastOffset(), false, missing.after().key()));
        }
        gaps.sort((a, b) -> Long.compare(a.firstOffset(), b.firstOffset()));
        return new PartitionDetail(index.topic(), index.partition(), index.firstOffset(), index.lastOffset(),
                Units.instant(index.minTimestamp()), Units.instant(index.maxTimestamp()), index.segments().size(),
                index.recordCount(), index.sizeBytes(),
                index.segments().stream().mapToLong(SegmentInfo::uncompressedBytes).sum(), index.updatedAt(),
                List.copyOf(gaps));
    }

    private void print(Report report) {
        out().println("Backup " + report.backupId() + " in " + report.storage());
        out().println("Created " + Units.time(report.createdAt()) + ", updated " + Units.time(report.updatedAt())
                + ", source cluster " + (report.sourceClusterId() == null ? "unknown" : report.sourceClusterId())
                + (report.sourceBootstrapServers() == null ? "" : " (" + report.sourceBootstrapServers() + ")"));
        out().println();
        Table table = new Table("TOPIC", "PARTITION>", "OFFSETS", "FIRST RECORD", "LAST RECORD", "SEGMENTS>",
                "RECORDS>", "STORED>", "GAPS");
        for (PartitionDetail partition : report.partitions()) {
            table.row(partition.topic(), partition.partition(),
                    Units.offsets(partition.firstOffset(), partition.lastOffset()),
                    Units.time(partition.firstTimestamp()), Units.time(partition.lastTimestamp()),
                    partition.segments(), partition.records(), Units.mib(partition.storedBytes()),
                    gaps(partition.gaps()));
        }
        table.print(out());
        out().println();
        Snapshots snapshots = report.snapshots();
        if (snapshots.count() == 0) {
            out().println("Snapshots: none (the backup's task 0 takes one every snapshot.interval.ms when it has "
                    + "cluster.bootstrap.servers)");
            return;
        }
        out().println("Snapshots: " + snapshots.count() + ", taken " + Units.time(snapshots.takenAt().get(0))
                + " to " + Units.time(snapshots.takenAt().get(snapshots.count() - 1)) + "; the newest holds "
                + snapshots.newestGroups() + " consumer groups, " + snapshots.newestTopics() + " topics, "
                + (snapshots.newestAcls() == null ? "no ACLs (snapshot.acls=false)" : snapshots.newestAcls()
                + " ACLs"));
    }

    private static String gaps(List<Gap> gaps) {
        if (gaps.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Gap gap : gaps) {
            parts.add(gap.firstOffset() + ".." + gap.lastOffset() + (gap.recorded() ? " (recorded)" : " (MISSING)"));
        }
        return String.join(", ", parts);
    }
}
