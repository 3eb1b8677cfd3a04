package dev.kbackup.cli;

import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.layout.PartitionWindow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code kbackup plan <backup.id> [--start T] [--end T] [--topics ...]}: what a restore of that window would read,
 * chosen exactly as the restore chooses ({@link PartitionWindow}), from the catalog alone.
 */
@Command(name = "plan", description = "Shows what a restore of a time window would read: per partition the "
        + "segments, stored bytes, estimated records and first and last offsets, without reading segment data.")
final class PlanCommand extends BackupCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP_ID",
            description = "The backup (default: backup.id of the --config file).")
    String backupId;

    @Option(names = "--start", paramLabel = "TIME",
            description = "Restore records stamped at or after TIME: ISO-8601 with zone (2026-11-23T10:00:00Z) or "
                    + "epoch milliseconds. Default: restore.time.start of the config, else the beginning.")
    String start;

    @Option(names = "--end", paramLabel = "TIME",
            description = "Restore records stamped before TIME (same forms). Default: restore.time.end of the "
                    + "config, else no end.")
    String end;

    @Option(names = "--topics", split = ",", paramLabel = "TOPIC",
            description = "Only these backed-up topics (comma-separated). Default: all.")
    List<String> topics = new ArrayList<>();

    record MissingRange(long firstOffset, long lastOffset, String segmentBefore, String segmentAfter) {
    }

    record PartitionPlan(String topic, int partition, int segments, long storedBytes, long estimatedRecords,
                         long segmentRecords, long firstOffset, long lastOffset, List<String> segmentKeys,
                         List<MissingRange> missing) {
    }

    record Report(String backupId, String window, int segments, long storedBytes, long estimatedRecords,
                  List<PartitionPlan> partitions) {
    }

    @Override
    int run(BackupStore backups) {
        long from = bound("--start", start, Long.MIN_VALUE);
        long to = bound("--end", end, Long.MAX_VALUE);
        if (to < from) {
            throw new UsageException("The end of the window is before its start: the window is [--start, --end), "
                    + "give an --end after the --start");
        }
        TimeWindow window = new TimeWindow(from, to);
        String id = backups.backupId(backupId);
        BackupCatalog catalog = backups.existingCatalog(id);
        Set<String> wanted = new TreeSet<>(topics);
        List<PartitionPlan> plans = new ArrayList<>();
        Set<String> found = new TreeSet<>();
        // the catalog objects the window needs, as the restore reads them: not the whole history
        catalog.loadWindow(window).forEach((topic, partitions) -> {
            found.add(topic);
            if (wanted.isEmpty() || wanted.contains(topic)) {
                partitions.values().forEach(index -> plans.add(plan(PartitionWindow.of(index, window))));
            }
        });
        wanted.removeAll(found);
        if (!wanted.isEmpty()) {
            throw new UsageException("Backup " + id + " holds no topic " + wanted + "; it holds " + found);
        }
        Report report = new Report(id, window.toString(), plans.stream().mapToInt(PartitionPlan::segments).sum(),
                plans.stream().mapToLong(PartitionPlan::storedBytes).sum(),
                plans.stream().mapToLong(PartitionPlan::estimatedRecords).sum(), plans);
        if (options.json()) {
            printJson(report);
        } else {
            print(report);
        }
        return 0;
    }

    private static PartitionPlan plan(PartitionWindow selected) {
        List<MissingRange> missing = new ArrayList<>();
        for (MissingOffsets range : selected.missing()) {
            missing.add(new MissingRange(range.firstOffset(), range.lastOffset(), range.before().key(),
                    range.after().key()));
        }
        return new PartitionPlan(selected.topic(), selected.partition(), selected.segments().size(),
                selected.bytes(), selected.estimatedRecords(), selected.segmentRecords(), selected.firstOffset(),
                selected.lastOffset(), selected.segments().stream().map(segment -> segment.key()).toList(), missing);
    }

    private long bound(String flag, String given, long open) {
        return options.timeBound(flag, given, flag.equals("--start") ? "restore.time.start" : "restore.time.end",
                open);
    }

    private void print(Report report) {
        out().println("Restore plan for backup " + report.backupId() + ", window " + report.window());
        out().println(report.segments() + " segments, " + Units.mib(report.storedBytes()) + " to read, about "
                + report.estimatedRecords() + " records");
        out().println();
        Table table = new Table("TOPIC", "PARTITION>", "SEGMENTS>", "STORED>", "EST. RECORDS>", "OFFSETS", "MISSING");
        for (PartitionPlan plan : report.partitions()) {
            table.row(plan.topic(), plan.partition(), plan.segments(), Units.mib(plan.storedBytes()),
                    plan.estimatedRecords(), Units.offsets(plan.firstOffset(), plan.lastOffset()),
                    plan.missing().isEmpty() ? "none" : String.join(", ", plan.missing().stream()
                            .map(range -> range.firstOffset() + ".." + range.lastOffset()).toList()));
        }
        table.print(out());
        if (report.partitions().stream().anyMatch(plan -> !plan.missing().isEmpty())) {
            out().println();
            out().println("MISSING offsets are in no segment of the backup: a restore stops there unless "
                    + "restore.corrupt.segment.policy says to skip; run `kbackup verify " + report.backupId() + "`.");
        }
    }
}
