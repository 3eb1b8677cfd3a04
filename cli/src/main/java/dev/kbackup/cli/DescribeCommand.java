package dev.kbackup.cli;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.Manifest;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.layout.PartitionIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code kbackup describe <backup.id>}: what each topic-partition of a backup holds, from its catalog. */
@Command(name = "describe", description = "Shows, per topic and partition, the offsets, time range, segments, "
        + "records and bytes a backup holds, the gaps it recorded and any offsets no segment holds.")
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

    record Report(String backupId, String storage, Instant createdAt, Instant updatedAt, String sourceClusterId,
                  String sourceBootstrapServers, List<PartitionDetail> partitions) {
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
                manifest.map(m -> m.sourceCluster().bootstrapServers()).orElse(null), details);
        if (options.json()) {
            printJson(report);
        } else {
            print(report);
        }
        return 0;
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
        out().println("Snapshots (consumer groups, topic configs, ACLs) are not shown: this version of kbackup "
                + "does not read them yet.");
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
