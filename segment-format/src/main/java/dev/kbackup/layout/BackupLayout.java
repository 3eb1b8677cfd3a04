package dev.kbackup.layout;

import dev.kbackup.format.Codec;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each object of one backup lives, relative to the store's root (the bucket or directory with
 * {@code storage.prefix} applied by the store). Everything sits under {@code {backup.id}/}:
 * <pre>
 * manifest.json                                      what the backup is (written once); its presence marks the backup
 * index/{topic}/partition={p}/{L0|L1|H}-{range}-{writer}.json
 *                                                    a partition's recent catalog objects and history summary
 * checkpoints/{topic}/partition={p}/C-{range}-{writer}.json
 *                                                    a partition's checkpoints: its older entries, by offset range
 * topics/{topic}/partition={p}/segment-{offset:020d}.{zst|lz4|bin}
 * state/{connector}-task-{n}.db                      the sink tasks' SQLite side-stores
 * restores/                                          restore summaries and offset maps (see {@link RestoreKeys})
 * snapshots/snapshot-{inverted:019d}-{yyyyMMdd'T'HHmmssSSS'Z'}.json
 *                                                    immutable snapshots of the source cluster's metadata (group
 *                                                    offsets, topic configs, ACLs); inverted = Long.MAX_VALUE - millis
 * </pre>
 * Segment names sort in offset order and follow from their first offset alone. Catalog objects
 * ({@link CatalogObject}) are only ever created, never rewritten: {@code writer} is unique to each write, so
 * concurrent writers never collide.
 */
public final class BackupLayout {

    private static final Pattern BACKUP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern PARTITION_FOLDER = Pattern.compile("partition=(\\d{1,9})");
    private static final Pattern SEGMENT_KEY = Pattern.compile(
            ".*/topics/([A-Za-z0-9._-]+)/partition=(\\d+)/segment-(\\d{20})(-\\d{20})?\\.(zst|lz4|bin)");

    private static final Pattern SNAPSHOT_KEY = Pattern.compile(
            ".*/snapshots/snapshot-(\\d{19})-\\d{8}T\\d{9}Z\\.json");
    private static final DateTimeFormatter SNAPSHOT_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final String root;
    private final String backupId;

    /** @param backupId names the backup; validated by {@link #backupIdProblem} */
    public BackupLayout(String backupId) {
        backupIdProblem(backupId).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        this.backupId = backupId;
        this.root = backupId;
    }

    /** Why a backup id is unusable, or empty if it is fine. */
    public static Optional<String> backupIdProblem(String backupId) {
        if (backupId == null || backupId.isBlank()) {
            return Optional.of("backup.id is required: choose a name such as 'prod-orders-2026'");
        }
        if (!BACKUP_ID.matcher(backupId).matches()) {
            return Optional.of("backup.id '" + backupId + "' may contain only letters, digits, '.', '_' and '-', "
                    + "must start with a letter or digit and be at most 200 characters, so that it stays one path "
                    + "element inside the storage root");
        }
        return Optional.empty();
    }

    public String backupId() {
        return backupId;
    }

    /** {@code {backup.id}}, the folder of every object of this backup, without a trailing slash. */
    public String root() {
        return root;
    }

    public String manifestKey() {
        return root + "/manifest.json";
    }

    public String segmentKey(String topic, int partition, long firstOffset, Codec codec) {
        return partitionSegmentsPrefix(topic, partition) + String.format("%020d", firstOffset) + "." + codec.extension();
    }

    /**
     * The key of a segment that compaction merged from the segments holding {@code firstOffset..lastOffset}; it
     * sorts just before the segment starting at {@code firstOffset}, never after the catalog's end, so the listing
     * of unpublished segments after the catalog never meets it.
     */
    public String mergedSegmentKey(String topic, int partition, long firstOffset, long lastOffset, Codec codec) {
        return partitionSegmentsPrefix(topic, partition) + String.format("%020d-%020d", firstOffset, lastOffset) + "."
                + codec.extension();
    }

    /** Whether {@code key} names a segment compaction merged ({@link #mergedSegmentKey}). */
    public static boolean isMergedSegmentKey(String key) {
        Matcher matcher = SEGMENT_KEY.matcher(key);
        return matcher.matches() && matcher.group(4) != null;
    }

    /** Every segment key of the partition starts with this. */
    public String partitionSegmentsPrefix(String topic, int partition) {
        return topicsPrefix() + checkTopic(topic) + "/partition=" + checkPartition(partition) + "/segment-";
    }

    /** The folder holding one folder per backed-up topic. */
    public String topicsPrefix() {
        return root + "/topics/";
    }

    /** The partition a folder name such as {@code partition=3} stands for, or empty. */
    public static Optional<Integer> parsePartitionFolder(String folder) {
        Matcher matcher = PARTITION_FOLDER.matcher(folder);
        return matcher.matches() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    /** The folder holding the pieces, folds and history summaries of one partition (see {@link CatalogObject}). */
    public String partitionIndexPrefix(String topic, int partition) {
        return topicIndexPrefix(topic) + "partition=" + checkPartition(partition) + "/";
    }

    public String topicIndexPrefix(String topic) {
        return indexPrefix() + checkTopic(topic) + "/";
    }

    /** The folder holding the checkpoints of one partition. */
    public String partitionCheckpointPrefix(String topic, int partition) {
        return checkpointsPrefix() + checkTopic(topic) + "/partition=" + checkPartition(partition) + "/";
    }

    /** The folder of every partition's checkpoints: read only by planners that need old entries. */
    public String checkpointsPrefix() {
        return root + "/checkpoints/";
    }

    public String indexPrefix() {
        return root + "/index/";
    }

    /** The folder of the sink tasks' side-store copies. */
    public String statePrefix() {
        return root + "/state/";
    }

    /** @throws IllegalArgumentException unless {@code fileName} is one path element */
    public String stateKey(String fileName) {
        return statePrefix() + checkFileName(fileName);
    }

    /**
     * The file name of one sink task's side-store: its key under {@link #stateKey} and its local file alike.
     *
     * @throws IllegalArgumentException if the connector name would make it more than one path element
     */
    public static String taskStateFileName(String connector, int task) {
        return checkFileName(connector + "-task-" + task + ".db");
    }

    // a name that reaches a key or a local path must not climb out of its folder
    private static String checkFileName(String fileName) {
        if (fileName == null || fileName.isEmpty() || fileName.startsWith(".") || fileName.indexOf('/') >= 0
                || fileName.indexOf('\\') >= 0 || fileName.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("'" + fileName + "' is not usable as a file name: it must not be "
                    + "empty, start with '.', or contain '/', '\\' or control characters (check the connector name)");
        }
        return fileName;
    }

    public String restoresPrefix() {
        return root + "/restores/";
    }

    public String snapshotsPrefix() {
        return root + "/snapshots/";
    }

    /**
     * The key of the snapshot taken at {@code takenAtMillis}. Newer snapshots sort first (the key starts with
     * {@code Long.MAX_VALUE - millis}), so one listing that starts after {@link #snapshotListStart} finds the newest
     * snapshot at or before a time without reading older keys; the readable time follows for people.
     */
    public String snapshotKey(long takenAtMillis) {
        if (takenAtMillis < 0) {
            throw new IllegalArgumentException("Snapshot time " + takenAtMillis + " is before 1970");
        }
        return snapshotListStart(takenAtMillis) + "-" + SNAPSHOT_TIME.format(Instant.ofEpochMilli(takenAtMillis))
                + ".json";
    }

    /** Listing after this key yields the snapshots taken at or before {@code atOrBeforeMillis}, newest first. */
    public String snapshotListStart(long atOrBeforeMillis) {
        return snapshotsPrefix() + "snapshot-" + String.format("%019d", Long.MAX_VALUE - Math.max(0, atOrBeforeMillis));
    }

    /** When the snapshot behind {@code key} was taken (epoch millis), or empty if it is not a snapshot key. */
    public static Optional<Long> parseSnapshotKey(String key) {
        Matcher matcher = SNAPSHOT_KEY.matcher(key);
        return matcher.matches() ? Optional.of(Long.MAX_VALUE - Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    /** The topic, partition, first offset and codec a segment key encodes, or empty if it is not a segment key. */
    public static Optional<SegmentKey> parseSegmentKey(String key) {
        Matcher matcher = SEGMENT_KEY.matcher(key);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SegmentKey(matcher.group(1), Integer.parseInt(matcher.group(2)),
                Long.parseLong(matcher.group(3)), Codec.fromExtension(matcher.group(5))));
    }

    /** What a segment's key says about it. */
    public record SegmentKey(String topic, int partition, long firstOffset, Codec codec) {
    }

    /** Whether Kafka accepts {@code topic} as a topic name. */
    public static boolean isLegalTopic(String topic) {
        return topic != null && TOPIC.matcher(topic).matches() && !topic.equals(".") && !topic.equals("..");
    }

    private static String checkTopic(String topic) {
        if (!isLegalTopic(topic)) {
            throw new IllegalArgumentException("'" + topic + "' is not a legal Kafka topic name");
        }
        return topic;
    }

    private static int checkPartition(int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("Partition " + partition + " is negative");
        }
        return partition;
    }
}
