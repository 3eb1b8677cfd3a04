package dev.kbackup.cli;

import dev.kbackup.layout.BackupCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.List;

/**
 * {@code kbackup status <backup.id>}: the backup tasks' side-stores as last synced to storage, and the restores run
 * from the backup, from their summaries.
 */
@Command(name = "status", description = "Shows the backup tasks' status, heartbeat, last checkpoint and per "
        + "partition last durable offset (from their side-stores as synced to storage), and the restores run from "
        + "this backup.")
final class StatusCommand extends BackupCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP_ID",
            description = "The backup (default: backup.id of the --config file).")
    String backupId;

    record Report(String backupId, Instant checkedAt, long aliveWithinSeconds, boolean alive,
                  List<SideStores.TaskState> tasks, List<RestoreSummaries.RestoreRun> restores) {
    }

    @Override
    int run(BackupStore backups) {
        String id = backups.backupId(backupId);
        BackupCatalog catalog = backups.existingCatalog(id);
        Instant now = clock.instant();
        List<SideStores.TaskState> tasks = SideStores.read(backups.store(), catalog.layout(), backups.aliveWithin(),
                now);
        List<RestoreSummaries.RestoreRun> restores = RestoreSummaries.read(backups.store(), catalog.layout());
        Report report = new Report(id, now, backups.aliveWithin().toSeconds(),
                tasks.stream().anyMatch(SideStores.TaskState::alive), tasks, restores);
        if (options.json()) {
            printJson(report);
        } else {
            print(report);
        }
        return 0;
    }

    private void print(Report report) {
        out().println("Backup " + report.backupId() + ": " + (report.tasks().isEmpty() ? "no backup task has synced "
                + "a side-store" : report.alive() ? "a backup job is ALIVE" : "no backup job is alive")
                + " (alive: RUNNING with a heartbeat younger than " + report.aliveWithinSeconds() + " s at "
                + Units.time(report.checkedAt()) + ")");
        if (!report.tasks().isEmpty()) {
            out().println();
            Table tasks = new Table("CONNECTOR", "TASK>", "STATUS", "ALIVE", "HOST", "HEARTBEAT", "LAST CHECKPOINT",
                    "LAST PUBLISHED", "SYNCED");
            for (SideStores.TaskState task : report.tasks()) {
                tasks.row(task.connector(), task.task(), task.status(), task.alive() ? "yes" : "no", task.host(),
                        Units.time(task.heartbeatAt()), Units.time(task.lastCheckpointAt()),
                        Units.time(task.lastPublishedAt()), Units.time(task.syncedAt()));
            }
            tasks.print(out());
            out().println();
            Table partitions = new Table("CONNECTOR", "TASK>", "TOPIC", "PARTITION>", "LAST DURABLE OFFSET>",
                    "RECORDS>", "CHECKPOINT");
            for (SideStores.TaskState task : report.tasks()) {
                for (SideStores.PartitionProgress partition : task.partitions()) {
                    partitions.row(task.connector(), task.task(), partition.topic(), partition.partition(),
                            partition.lastDurableOffset(), partition.recordsBackedUp(),
                            Units.time(partition.checkpointAt()));
                }
            }
            partitions.print(out());
        }
        out().println();
        if (report.restores().isEmpty()) {
            out().println("No restore has completed from this backup.");
            return;
        }
        Table restores = new Table("RESTORE", "TASK>", "COMPLETED", "WINDOW", "RECORDS>", "STORED>", "RATE>",
                "SKIPPED SEGMENTS>", "MISSING RANGES>");
        for (RestoreSummaries.RestoreRun run : report.restores()) {
            restores.row(run.connector(), run.task(), Units.time(run.completedAt()),
                    run.window() == null ? "-" : run.window(), run.records(), Units.mib(run.bytes()),
                    run.durationMs() <= 0 ? "-"
                            : Units.recordsPerSecond(run.recordsThisRun() * 1000.0 / run.durationMs()),
                    run.skippedSegments(), run.missingRanges());
        }
        restores.print(out());
    }
}
