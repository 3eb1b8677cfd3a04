package dev.kbackup.cli;

import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The backup tasks' SQLite side-stores as each task last uploaded them to {@code {backup.id}/state/}: the job row
 * (status, host, heartbeat, last checkpoint, last publication) and every partition's last durable offset. A task
 * uploads its copy every {@code state.sync.interval.ms}, so what this shows is at most that old.
 */
final class SideStores {

    /** One task's side-store. {@code syncedAt} is when the copy was uploaded. */
    record TaskState(String key, String connector, int task, String status, String host, Instant startedAt,
                     Instant heartbeatAt, Instant lastCheckpointAt, Instant lastPublishedAt, Instant syncedAt,
                     boolean alive, List<PartitionProgress> partitions) {
    }

    /** A partition's durable progress at the task's last checkpoint. */
    record PartitionProgress(String topic, int partition, long lastDurableOffset, String lastSegmentKey,
                             long recordsBackedUp, Instant checkpointAt) {
    }

    private SideStores() {
    }

    /**
     * Every task side-store of the backup. A task counts as alive if it says RUNNING and its heartbeat is younger
     * than {@code aliveWithin} at {@code now}.
     */
    static List<TaskState> read(ObjectStore store, BackupLayout layout, Duration aliveWithin, Instant now) {
        List<TaskState> tasks = new ArrayList<>();
        String prefix = layout.statePrefix();
        List<ObjectInfo> objects = new ArrayList<>();
        store.list(prefix, null).forEachRemaining(object -> {
            if (object.key().endsWith(".db") && object.key().indexOf('/', prefix.length()) < 0) {
                objects.add(object);
            }
        });
        for (ObjectInfo object : objects) {
            store.readIfExists(object.key()).ifPresent(bytes -> tasks.addAll(
                    readCopy(object, bytes, layout.backupId(), aliveWithin, now)));
        }
        return tasks;
    }

    private static List<TaskState> readCopy(ObjectInfo object, byte[] bytes, String backupId, Duration aliveWithin,
                                            Instant now) {
        Path file = null;
        try {
            file = Files.createTempFile("kbackup-side-store-", ".db");
            Files.write(file, bytes);
            Properties readOnly = new Properties();
            readOnly.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, readOnly)) {
                List<PartitionProgress> partitions = partitions(connection);
                List<TaskState> tasks = new ArrayList<>();
                try (PreparedStatement query = connection.prepareStatement("SELECT connector, task, status, host, "
                        + "started_time_ms, heartbeat_time_ms, last_checkpoint_time_ms, last_state_sync_time_ms "
                        + "FROM backup_jobs WHERE backup_id = ? ORDER BY connector, task")) {
                    query.setString(1, backupId);
                    try (ResultSet rs = query.executeQuery()) {
                        while (rs.next()) {
                            Instant heartbeat = instant(rs, 6);
                            String status = rs.getString(3);
                            boolean alive = "RUNNING".equals(status) && heartbeat != null
                                    && Duration.between(heartbeat, now).compareTo(aliveWithin) <= 0;
                            tasks.add(new TaskState(object.key(), rs.getString(1), rs.getInt(2), status,
                                    rs.getString(4), instant(rs, 5), heartbeat, instant(rs, 7), instant(rs, 8),
                                    Instant.ofEpochMilli(object.lastModifiedMillis()), alive, partitions));
                        }
                    }
                }
                return tasks;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Side-store " + object.key() + " is not a readable SQLite database ("
                    + e.getMessage() + "); the task that owns it rewrites it at its next state sync", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy side-store " + object.key() + " to a temporary file", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    private static List<PartitionProgress> partitions(Connection connection) throws SQLException {
        List<PartitionProgress> partitions = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT topic, partition, last_durable_offset, "
                + "last_segment_key, records_backed_up, checkpoint_time_ms FROM partition_progress "
                + "ORDER BY topic, partition");
             ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                partitions.add(new PartitionProgress(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4),
                        rs.getLong(5), instant(rs, 6)));
            }
        }
        return partitions;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }
}
