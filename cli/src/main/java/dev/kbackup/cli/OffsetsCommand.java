package dev.kbackup.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kbackup.groups.GroupOffsetCommitter;
import dev.kbackup.groups.GroupOffsetPlan;
import dev.kbackup.groups.GroupOffsetPlan.GroupPlan;
import dev.kbackup.groups.GroupOffsetPlan.PartitionOffset;
import dev.kbackup.groups.StoredTranslationLog;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.storage.ObjectStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code kbackup offsets <backup.id> --restore <connector> [--apply]}: the consumer groups' offsets translated
 * through a restore's stored offset maps, as the restore's plan mode translates them, and optionally committed.
 */
@Command(name = "offsets", description = "The consumer-group translation a restore made or would make: each group's "
        + "committed offsets in the backup's cluster snapshot at or before the window end, translated through the "
        + "restore's stored offset maps into the target partitions. With --apply, commits them to the target "
        + "cluster for groups without active members (re-runnable). Exit code 0: done; 1: --apply left a group out "
        + "(active members, or the commit failed) or the backup holds no snapshot; 2: bad usage.")
final class OffsetsCommand extends BackupCommand {

    private static final String GROUPS_KEY = "restore.consumer.groups";

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP_ID",
            description = "The backup (default: backup.id of the --config file).")
    String backupId;

    @Option(names = "--restore", required = true, paramLabel = "CONNECTOR",
            description = "The restore connector's name: its offset maps are under {backup.id}/restores/CONNECTOR/.")
    String restore;

    @Option(names = "--groups", paramLabel = "REGEX",
            description = "Consumer groups to translate. Default: " + GROUPS_KEY + " of the config, else every group.")
    String groups;

    @Option(names = "--end", paramLabel = "TIME",
            description = "Use the snapshot at or before TIME (ISO-8601 or epoch ms). Default: restore.time.end of "
                    + "the config, else the newest snapshot.")
    String end;

    @Option(names = "--apply", description = "Commit the translated offsets to the target cluster.")
    boolean apply;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "The target cluster for --apply. Default: cluster.bootstrap.servers of the config.")
    String bootstrapServers;

    @JsonPropertyOrder({"backupId", "connector", "mode", "snapshotKey", "snapshotTakenAt", "groups", "failures"})
    record Report(String backupId, String connector, String mode, String snapshotKey, Instant snapshotTakenAt,
                  List<GroupPlan> groups, Map<String, String> failures) {
    }

    @Override
    int run(BackupStore backups) {
        String id = backups.backupId(backupId);
        BackupCatalog catalog = backups.existingCatalog(id);
        Pattern selected = groupPattern();
        long at = options.timeBound("--end", end, "restore.time.end", Long.MAX_VALUE);
        Map<TopicPartition, StoredTranslationLog> logs = offsetMaps(backups.store(), catalog.layout());
        Optional<ClusterSnapshots.Found> snapshot = new ClusterSnapshots(backups.store(), catalog.layout())
                .atOrBefore(at);
        if (snapshot.isEmpty()) {
            err().println("kbackup offsets: backup " + id + " holds no cluster snapshot at or before "
                    + (at == Long.MAX_VALUE ? "now" : Instant.ofEpochMilli(at)) + ": there are no consumer-group "
                    + "offsets to translate (snapshots are taken by the backup's task 0 every snapshot.interval.ms)");
            return Kbackup.EXIT_PROBLEMS;
        }
        Map<TopicPartition, TopicPartition> targets = new HashMap<>();
        logs.forEach((source, log) -> targets.put(source, new TopicPartition(log.targetTopic(),
                log.targetPartition())));
        List<GroupPlan> planned = GroupOffsetPlan.build(snapshot.get().snapshot(), selected, targets,
                source -> Optional.ofNullable(logs.get(source)), GroupOffsetPlan.PLANNED);
        List<GroupPlan> outcome = planned;
        Map<String, String> failures = new TreeMap<>();
        if (apply) {
            outcome = new ArrayList<>();
            try (Admin admin = TargetCluster.admin(options.settings(), bootstrapServers, "offsets")) {
                GroupOffsetCommitter committer = new GroupOffsetCommitter(admin);
                for (GroupPlan group : planned) {
                    GroupOffsetCommitter.Outcome applied = committer.apply(group);
                    outcome.add(applied.group());
                    if (applied.failure() != null) {
                        failures.put(group.groupId(), applied.failure());
                    }
                }
            }
        }
        Report report = new Report(id, restore, apply ? "apply" : "plan", snapshot.get().key(),
                snapshot.get().snapshot().takenAt(), outcome, failures);
        if (options.json()) {
            printJson(report);
        } else {
            print(report);
        }
        boolean leftOut = outcome.stream().anyMatch(group -> group.status().equals(GroupOffsetPlan.FAILED)
                || group.status().equals(GroupOffsetPlan.SKIPPED_ACTIVE_MEMBERS));
        return leftOut ? Kbackup.EXIT_PROBLEMS : 0;
    }

    private Pattern groupPattern() {
        String regex = groups != null ? groups : options.configValue(GROUPS_KEY);
        String flag = groups != null ? "--groups" : GROUPS_KEY;
        if (regex == null || regex.isBlank()) {
            return Pattern.compile(".*");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new UsageException(flag + " '" + regex + "' is not a regular expression: " + e.getDescription()
                    + ", e.g. --groups 'billing|shipping-.*'");
        }
    }

    /** The restore's stored offset maps, by backed-up partition; a usage error naming the restores if none. */
    private Map<TopicPartition, StoredTranslationLog> offsetMaps(ObjectStore store, BackupLayout layout) {
        String prefix = new RestoreKeys(layout, restore).root() + "offset-map/";
        Map<TopicPartition, StoredTranslationLog> logs = new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        store.list(prefix, null).forEachRemaining(object -> {
            if (object.key().endsWith(".json")) {
                StoredTranslationLog log = Json.read(store.readIfExists(object.key()).orElseThrow(),
                        StoredTranslationLog.class, object.key());
                logs.put(new TopicPartition(log.topic(), log.partition()), log);
            }
        });
        if (logs.isEmpty()) {
            throw new UsageException("Restore '" + restore + "' of backup " + layout.backupId() + " stored no offset "
                    + "map under " + prefix + " (it has restored nothing yet, or the name is another): restores of "
                    + "this backup: " + store.listFolders(layout.restoresPrefix()));
        }
        return logs;
    }

    private void print(Report report) {
        out().println("Consumer groups of restore " + report.connector() + " of backup " + report.backupId()
                + ", from snapshot " + report.snapshotKey() + " taken at " + report.snapshotTakenAt() + " ("
                + (apply ? "applied" : "plan only; --apply commits it") + ")");
        if (report.groups().isEmpty()) {
            out().println("No selected group has offsets on the partitions this restore restored.");
            return;
        }
        out().println();
        Table table = new Table("GROUP", "STATUS", "TOPIC", "PARTITION>", "COMMITTED>", "TARGET", "TARGET OFFSET>",
                "DERIVATION");
        for (GroupPlan group : report.groups()) {
            for (PartitionOffset partition : group.partitions()) {
                table.row(group.groupId(), group.status(), partition.topic(), partition.partition(),
                        partition.originalOffset(), partition.targetTopic() + "-" + partition.targetPartition(),
                        partition.targetOffset() < 0 ? "-" : partition.targetOffset(), partition.derivation());
            }
        }
        table.print(out());
        for (GroupPlan group : report.groups()) {
            if (!group.members().isEmpty()) {
                out().println();
                out().println("Group " + group.groupId() + " was left alone: it has active members in the target "
                        + "cluster " + group.members() + ". Stop its consumers and run this again.");
            }
        }
        report.failures().forEach((group, failure) -> out().println("Group " + group + " could not be committed: "
                + failure + ". Run this again."));
    }
}
