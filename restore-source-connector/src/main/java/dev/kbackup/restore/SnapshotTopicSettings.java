package dev.kbackup.restore;

import dev.kbackup.layout.ClusterSnapshot;
import org.apache.kafka.common.config.TopicConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the backup's snapshot says a restored topic should look like: the partition count and configs to create a
 * missing target with, and whether an existing target differs in a way that changes what the restored data means
 * (a compacted topic restored into a deleting one, or into fewer partitions, which moves keys).
 */
final class SnapshotTopicSettings {

    /**
     * Restored records keep their original timestamps, so any time or size retention could delete them right after
     * they are written: created topics keep everything until the user sets a retention again.
     */
    static final Set<String> RETENTION_CONFIGS = Set.of(TopicConfig.RETENTION_MS_CONFIG,
            TopicConfig.RETENTION_BYTES_CONFIG, TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG,
            TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG);

    private SnapshotTopicSettings() {
    }

    /** A target topic to create: partitions, configs, and the backed-up configs left out (for the log). */
    record Creation(int partitions, Map<String, String> configs, List<String> leftOut) {
    }

    /**
     * @param snapshot the snapshot of the source topic, or null when there is none (then only retention is set)
     * @param needed   the fewest partitions the restore needs
     */
    static Creation creation(ClusterSnapshot.TopicSnapshot snapshot, int needed) {
        Map<String, String> configs = new TreeMap<>();
        List<String> leftOut = new ArrayList<>();
        int partitions = needed;
        if (snapshot != null) {
            partitions = Math.max(needed, snapshot.partitions());
            snapshot.configs().forEach((name, value) -> {
                if (RETENTION_CONFIGS.contains(name) || isLogAppendTime(name, value)) {
                    leftOut.add(name + "=" + value);
                } else {
                    configs.put(name, value);
                }
            });
        }
        configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
        return new Creation(partitions, configs, leftOut);
    }

    /** LogAppendTime would replace the restored records' original timestamps with the time of the restore. */
    private static boolean isLogAppendTime(String name, String value) {
        return TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG.equals(name) && "LogAppendTime".equalsIgnoreCase(value);
    }

    /**
     * Why an existing target topic does not fit the backed-up one, or empty if it does.
     *
     * @param cleanupPolicy the target's effective cleanup.policy
     */
    static Optional<String> conflict(String target, ClusterSnapshot.TopicSnapshot snapshot, String cleanupPolicy,
                                     int partitions) {
        List<String> problems = new ArrayList<>();
        String backedUpPolicy = snapshot.configs().getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE);
        if (cleanupPolicy != null && !policies(cleanupPolicy).equals(policies(backedUpPolicy))) {
            problems.add("cleanup.policy=" + cleanupPolicy + " where the backed-up topic '" + snapshot.name()
                    + "' had " + backedUpPolicy);
        }
        if (partitions < snapshot.partitions()) {
            problems.add(partitions + " partitions where the backed-up topic '" + snapshot.name() + "' had "
                    + snapshot.partitions());
        }
        return problems.isEmpty() ? Optional.empty()
                : Optional.of("target topic '" + target + "' has " + String.join(" and ", problems));
    }

    private static Set<String> policies(String value) {
        Set<String> policies = new TreeSet<>();
        for (String policy : value.split(",")) {
            if (!policy.isBlank()) {
                policies.add(policy.trim().toLowerCase(Locale.ROOT));
            }
        }
        return policies;
    }
}
