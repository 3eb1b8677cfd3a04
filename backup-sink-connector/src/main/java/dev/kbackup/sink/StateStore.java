package dev.kbackup.sink;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.Json;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The task's local side-store, one SQLite file: the durable progress of each partition, the completed segments
 * not yet published to their partition index, and the job's status and heartbeat. Storage stays the authority
 * on what is backed up; this file makes progress visible locally and survives in {@code state/} in storage.
 * Thread-safe (one connection, serialized).
 */
final class StateStore implements AutoCloseable {

    static final int SCHEMA_VERSION = 1;

    /** Durable progress of one partition at a checkpoint. */
    record PartitionProgress(TopicPartition partition, long lastDurableOffset, String lastSegmentKey,
                             long recordsBackedUp) {
    }

    /** The job row: which backup, which task, and how it is doing. */
    record JobStatus(String backupId, String connector, int task, String status, String host) {

        /** A task starting on this host. */
        static JobStatus running(String backupId, String connector, int task) {
            return new JobStatus(backupId, connector, task, "RUNNING", localHostName());
        }

        JobStatus stopped() {
            return new JobStatus(backupId, connector, task, "STOPPED", host);
        }

        private static String localHostName() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "unknown";
            }
        }
    }

    private final Path file;
    private final Connection connection;

    private StateStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    static StateStore open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                // WAL with NORMAL sync is durable across process crashes; storage is the authority anyway.
                statement.execute("PRAGMA synchronous=NORMAL");
                statement.execute("PRAGMA busy_timeout=5000");
                statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
                statement.execute("CREATE TABLE IF NOT EXISTS partition_progress ("
                        + "topic TEXT NOT NULL, partition INTEGER NOT NULL, last_durable_offset INTEGER NOT NULL, "
                        + "last_segment_key TEXT, records_backed_up INTEGER NOT NULL DEFAULT 0, "
                        + "checkpoint_time_ms INTEGER NOT NULL, PRIMARY KEY (topic, partition))");
                statement.execute("CREATE TABLE IF NOT EXISTS pending_segments ("
                        + "segment_key TEXT PRIMARY KEY, topic TEXT NOT NULL, partition INTEGER NOT NULL, "
                        + "first_offset INTEGER NOT NULL, last_offset INTEGER NOT NULL, "
                        + "completed_time_ms INTEGER NOT NULL, info_json TEXT NOT NULL)");
                statement.execute("CREATE TABLE IF NOT EXISTS backup_jobs ("
                        + "backup_id TEXT NOT NULL, connector TEXT NOT NULL, task INTEGER NOT NULL, "
                        + "status TEXT NOT NULL, host TEXT, started_time_ms INTEGER, heartbeat_time_ms INTEGER, "
                        + "last_checkpoint_time_ms INTEGER, last_state_sync_time_ms INTEGER, "
                        + "PRIMARY KEY (backup_id, connector, task))");
                try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                    if (rs.next() && rs.getInt(1) == 0) {
                        statement.execute("INSERT INTO schema_version VALUES (" + SCHEMA_VERSION + ")");
                    }
                }
            }
            return new StateStore(file, connection);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Could not open the side-store " + file + ": " + e.getMessage()
                    + ". Check that state.dir is writable, or point it at another directory", e);
        }
    }

    Path file() {
        return file;
    }

    /** Marks the job as started (or restarted) by this task. */
    synchronized void jobStarted(JobStatus job, long now) {
        update("INSERT INTO backup_jobs (backup_id, connector, task, status, host, started_time_ms, "
                        + "heartbeat_time_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (backup_id, connector, task) "
                        + "DO UPDATE SET status = excluded.status, host = excluded.host, "
                        + "started_time_ms = excluded.started_time_ms, heartbeat_time_ms = excluded.heartbeat_time_ms",
                job.backupId(), job.connector(), job.task(), job.status(), job.host(), now, now);
    }

    synchronized void jobStatus(JobStatus job, long now) {
        update("UPDATE backup_jobs SET status = ?, heartbeat_time_ms = ? WHERE backup_id = ? AND connector = ? "
                + "AND task = ?", job.status(), now, job.backupId(), job.connector(), job.task());
    }

    /**
     * Writes one checkpoint in a single transaction: progress of the given partitions, newly completed segments,
     * and the job's heartbeat.
     */
    synchronized void checkpoint(JobStatus job, Collection<PartitionProgress> progress,
                                 Collection<SegmentInfo> completed, long now) {
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement upsert = connection.prepareStatement(
                    "INSERT INTO partition_progress (topic, partition, last_durable_offset, last_segment_key, "
                            + "records_backed_up, checkpoint_time_ms) VALUES (?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT (topic, partition) DO UPDATE SET "
                            + "last_durable_offset = excluded.last_durable_offset, "
                            + "last_segment_key = COALESCE(excluded.last_segment_key, last_segment_key), "
                            + "records_backed_up = records_backed_up + excluded.records_backed_up, "
                            + "checkpoint_time_ms = excluded.checkpoint_time_ms");
                 PreparedStatement pending = connection.prepareStatement(
                    "INSERT OR IGNORE INTO pending_segments (segment_key, topic, partition, first_offset, "
                            + "last_offset, completed_time_ms, info_json) VALUES (?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement heartbeat = connection.prepareStatement(
                    "UPDATE backup_jobs SET status = ?, heartbeat_time_ms = ?, last_checkpoint_time_ms = ? "
                            + "WHERE backup_id = ? AND connector = ? AND task = ?")) {
                for (PartitionProgress p : progress) {
                    upsert.setString(1, p.partition().topic());
                    upsert.setInt(2, p.partition().partition());
                    upsert.setLong(3, p.lastDurableOffset());
                    upsert.setString(4, p.lastSegmentKey());
                    upsert.setLong(5, p.recordsBackedUp());
                    upsert.setLong(6, now);
                    upsert.addBatch();
                }
                upsert.executeBatch();
                for (SegmentInfo segment : completed) {
                    pending.setString(1, segment.key());
                    pending.setString(2, segment.topic());
                    pending.setInt(3, segment.partition());
                    pending.setLong(4, segment.firstOffset());
                    pending.setLong(5, segment.lastOffset());
                    pending.setLong(6, now);
                    pending.setString(7, new String(Json.write(segment), java.nio.charset.StandardCharsets.UTF_8));
                    pending.addBatch();
                }
                pending.executeBatch();
                heartbeat.setString(1, job.status());
                heartbeat.setLong(2, now);
                heartbeat.setLong(3, now);
                heartbeat.setString(4, job.backupId());
                heartbeat.setString(5, job.connector());
                heartbeat.setInt(6, job.task());
                heartbeat.executeUpdate();
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new IllegalStateException("Could not write a checkpoint to the side-store " + file + ": "
                    + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** Completed segments not yet published to their partition index, grouped by partition. */
    synchronized Map<TopicPartition, List<SegmentInfo>> pendingSegments() {
        Map<TopicPartition, List<SegmentInfo>> pending = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(
                     "SELECT topic, partition, info_json FROM pending_segments ORDER BY topic, partition, first_offset")) {
            while (rs.next()) {
                TopicPartition partition = new TopicPartition(rs.getString(1), rs.getInt(2));
                SegmentInfo info = Json.read(rs.getString(3).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        SegmentInfo.class, file + " pending_segments");
                pending.computeIfAbsent(partition, p -> new ArrayList<>()).add(info);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read pending segments from " + file, e);
        }
        return pending;
    }

    /** Forgets pending segments once their partition index lists them. */
    synchronized void published(Collection<SegmentInfo> segments, long now, String backupId, String connector,
                                int task) {
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM pending_segments WHERE segment_key = ?");
                 PreparedStatement sync = connection.prepareStatement(
                    "UPDATE backup_jobs SET last_state_sync_time_ms = ? WHERE backup_id = ? AND connector = ? "
                            + "AND task = ?")) {
                for (SegmentInfo segment : segments) {
                    delete.setString(1, segment.key());
                    delete.addBatch();
                }
                delete.executeBatch();
                sync.setLong(1, now);
                sync.setString(2, backupId);
                sync.setString(3, connector);
                sync.setInt(4, task);
                sync.executeUpdate();
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new IllegalStateException("Could not update the side-store " + file, e);
        } finally {
            autoCommit();
        }
    }

    /** The last durable offset recorded for a partition, or -1. */
    synchronized long lastDurableOffset(TopicPartition partition) {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT last_durable_offset FROM partition_progress WHERE topic = ? AND partition = ?")) {
            query.setString(1, partition.topic());
            query.setInt(2, partition.partition());
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read progress from " + file, e);
        }
    }

    /** Writes a consistent copy of the database to {@code target} (replacing it), for upload. */
    synchronized void snapshotTo(Path target) {
        try {
            Files.deleteIfExists(target);
            try (Statement statement = connection.createStatement()) {
                statement.execute("VACUUM INTO '" + target.toAbsolutePath().toString().replace("'", "''") + "'");
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Could not snapshot the side-store " + file + " to " + target + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not close the side-store " + file, e);
        }
    }

    private void update(String sql, Object... parameters) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not update the side-store " + file + ": " + e.getMessage(), e);
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    private void autoCommit() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // next statement reports it
        }
    }

    /** Writes the file's bytes to a stream-friendly array; small databases only. */
    static byte[] readBytes(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + path, e);
        }
    }
}
