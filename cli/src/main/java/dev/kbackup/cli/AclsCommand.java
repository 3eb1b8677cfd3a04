package dev.kbackup.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.ClusterSnapshot.AclEntry;
import dev.kbackup.layout.ClusterSnapshots;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code kbackup acls <backup.id> [--at T] [--apply [--dry-run]]}: the ACL snapshot of the backup's source cluster,
 * printed, or created in a target cluster with the admin client.
 */
@Command(name = "acls", description = "The ACLs the backup recorded of its source cluster (snapshot.acls=true), from "
        + "the snapshot at or before --at. With --apply, creates them in the target cluster (those already there "
        + "are left as they are); --dry-run says what --apply would create and creates nothing. Exit code 0: done; "
        + "1: no ACL snapshot, or an ACL could not be created; 2: bad usage.")
final class AclsCommand extends BackupCommand {

    private static final long TIMEOUT_SECONDS = 30;

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP_ID",
            description = "The backup (default: backup.id of the --config file).")
    String backupId;

    @Option(names = "--at", paramLabel = "TIME",
            description = "Use the snapshot at or before TIME (ISO-8601 or epoch ms). Default: the newest.")
    String at;

    @Option(names = "--apply", description = "Create the ACLs in the target cluster.")
    boolean apply;

    @Option(names = "--dry-run", description = "Show what --apply would create (reads the target's ACLs, writes "
            + "nothing).")
    boolean dryRun;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "The target cluster for --apply / --dry-run. Default: cluster.bootstrap.servers of the "
                    + "config.")
    String bootstrapServers;

    /** One ACL and, when a target was asked, what happened to it there. */
    @JsonPropertyOrder({"resourceType", "resourceName", "patternType", "principal", "host", "operation",
        "permission", "action", "error"})
    record Row(String resourceType, String resourceName, String patternType, String principal, String host,
               String operation, String permission, String action, String error) {
    }

    @JsonPropertyOrder({"backupId", "snapshotKey", "snapshotTakenAt", "mode", "acls"})
    record Report(String backupId, String snapshotKey, Instant snapshotTakenAt, String mode, List<Row> acls) {
    }

    static final String PRESENT = "PRESENT";
    static final String WOULD_CREATE = "WOULD_CREATE";
    static final String CREATED = "CREATED";
    static final String FAILED = "FAILED";

    @Override
    int run(BackupStore backups) {
        String id = backups.backupId(backupId);
        BackupCatalog catalog = backups.existingCatalog(id);
        long until = options.timeBound("--at", at, null, Long.MAX_VALUE);
        Optional<ClusterSnapshots.Found> found = new ClusterSnapshots(backups.store(), catalog.layout())
                .atOrBefore(until);
        String when = until == Long.MAX_VALUE ? "now" : Instant.ofEpochMilli(until).toString();
        if (found.isEmpty()) {
            err().println("kbackup acls: backup " + id + " holds no cluster snapshot at or before " + when);
            return Kbackup.EXIT_PROBLEMS;
        }
        List<AclEntry> entries = found.get().snapshot().acls();
        if (entries == null) {
            err().println("kbackup acls: snapshot " + found.get().key() + " holds no ACLs: the backup ran with "
                    + "snapshot.acls=false, or could not read them (its log says why)");
            return Kbackup.EXIT_PROBLEMS;
        }
        Map<AclEntry, AclBinding> bindings = new LinkedHashMap<>();
        entries.forEach(entry -> bindings.put(entry, binding(entry, found.get().key())));
        String mode = dryRun ? "dry-run" : apply ? "apply" : "print";
        List<Row> rows = dryRun || apply ? onTarget(bindings) : bindings.keySet().stream()
                .map(entry -> row(entry, null, null)).toList();
        Report report = new Report(id, found.get().key(), found.get().snapshot().takenAt(), mode, rows);
        if (options.json()) {
            printJson(report);
        } else {
            print(report);
        }
        return rows.stream().anyMatch(row -> FAILED.equals(row.action())) ? Kbackup.EXIT_PROBLEMS : 0;
    }

    private List<Row> onTarget(Map<AclEntry, AclBinding> bindings) {
        try (Admin admin = TargetCluster.admin(options.settings(), bootstrapServers, "acls")) {
            Set<AclBinding> present = new HashSet<>(await(admin.describeAcls(AclBindingFilter.ANY).values()));
            List<AclBinding> missing = bindings.values().stream().filter(binding -> !present.contains(binding))
                    .toList();
            Map<AclBinding, KafkaFuture<Void>> created = dryRun || missing.isEmpty() ? Map.of()
                    : admin.createAcls(missing).values();
            List<Row> rows = new ArrayList<>();
            bindings.forEach((entry, binding) -> {
                if (present.contains(binding)) {
                    rows.add(row(entry, PRESENT, null));
                } else if (dryRun) {
                    rows.add(row(entry, WOULD_CREATE, null));
                } else {
                    try {
                        await(created.get(binding));
                        rows.add(row(entry, CREATED, null));
                    } catch (ExecutionException e) {
                        rows.add(row(entry, FAILED, e.getCause().toString()));
                    }
                }
            });
            return rows;
        } catch (ExecutionException e) {
            throw new UsageException("Could not read the ACLs of the target cluster: " + e.getCause() + ". Check "
                    + "--bootstrap-servers, the cluster.* security settings, and that the cluster has an authorizer "
                    + "and this principal may describe ACLs", e);
        }
    }

    private static AclBinding binding(AclEntry entry, String snapshotKey) {
        try {
            return new AclBinding(new ResourcePattern(known(ResourceType.fromString(entry.resourceType())),
                    entry.resourceName(), known(PatternType.fromString(entry.patternType()))),
                    new AccessControlEntry(entry.principal(), entry.host(),
                            known(AclOperation.fromString(entry.operation())),
                            known(AclPermissionType.fromString(entry.permission()))));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Snapshot " + snapshotKey + " holds an ACL this Kafka client does not "
                    + "know (" + entry + "): " + e.getMessage(), e);
        }
    }

    private static <T extends Enum<T>> T known(T value) {
        if (Set.of("UNKNOWN", "ANY", "MATCH").contains(value.name())) {
            throw new IllegalArgumentException(value.getDeclaringClass().getSimpleName() + " " + value);
        }
        return value;
    }

    private static Row row(AclEntry entry, String action, String error) {
        return new Row(entry.resourceType(), entry.resourceName(), entry.patternType(), entry.principal(),
                entry.host(), entry.operation(), entry.permission(), action, error);
    }

    private void print(Report report) {
        out().println("ACLs of backup " + report.backupId() + " from snapshot " + report.snapshotKey() + " taken at "
                + report.snapshotTakenAt() + switch (report.mode()) {
                    case "dry-run" -> " (dry run: nothing was created)";
                    case "apply" -> " (applied)";
                    default -> "";
                });
        if (report.acls().isEmpty()) {
            out().println("The snapshot holds no ACL on the backed-up topics and groups.");
            return;
        }
        out().println();
        boolean target = !report.mode().equals("print");
        List<String> headers = new ArrayList<>(List.of("RESOURCE", "NAME", "PATTERN", "PRINCIPAL", "HOST",
                "OPERATION", "PERMISSION"));
        if (target) {
            headers.add("TARGET");
        }
        Table table = new Table(headers.toArray(String[]::new));
        for (Row row : report.acls()) {
            List<Object> cells = new ArrayList<>(List.of(row.resourceType(), row.resourceName(), row.patternType(),
                    row.principal(), row.host(), row.operation(), row.permission()));
            if (target) {
                cells.add(row.error() == null ? row.action() : row.action() + ": " + row.error());
            }
            table.row(cells.toArray());
        }
        table.print(out());
    }

    private static <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the target cluster", e);
        } catch (TimeoutException e) {
            throw new UsageException("The target cluster did not answer within " + TIMEOUT_SECONDS + " s: check "
                    + "--bootstrap-servers", e);
        }
    }
}
