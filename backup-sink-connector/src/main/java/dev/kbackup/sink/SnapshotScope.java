package dev.kbackup.sink;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a snapshot of the source cluster covers: the backed-up topics (named in {@code topics} or matched by
 * {@code topics.regex}, internal topics only when named), the consumer groups {@code snapshot.groups.include} matches
 * and {@code snapshot.groups.exclude} does not, and which of a topic's configs are worth keeping.
 */
final class SnapshotScope {

    /**
     * Topic configs that name the source brokers or their features, and mean nothing (or harm) on another cluster:
     * replica throttles list source broker ids, placement constraints name source racks.
     */
    private static final Set<String> SOURCE_ONLY_CONFIGS = Set.of(
            "leader.replication.throttled.replicas", "follower.replication.throttled.replicas",
            "confluent.placement.constraints", "message.format.version");

    private final Set<String> explicitTopics;
    private final Pattern topicsRegex;
    private final Pattern groupsInclude;
    private final Pattern groupsExclude;
    private final InternalTopicFilter internalTopics;

    /** @param topicsRegex null when the connector lists its topics */
    SnapshotScope(Set<String> explicitTopics, Pattern topicsRegex, Pattern groupsInclude, Pattern groupsExclude) {
        this.explicitTopics = Set.copyOf(explicitTopics);
        this.topicsRegex = topicsRegex;
        this.groupsInclude = groupsInclude;
        this.groupsExclude = groupsExclude;
        this.internalTopics = new InternalTopicFilter(explicitTopics);
    }

    /** The backed-up topics among the cluster's {@code topics}, sorted. */
    Set<String> backedUpTopics(Collection<String> topics) {
        Set<String> backedUp = new TreeSet<>();
        for (String topic : topics) {
            boolean selected = explicitTopics.contains(topic)
                    || (topicsRegex != null && topicsRegex.matcher(topic).matches());
            if (selected && !internalTopics.skips(topic)) {
                backedUp.add(topic);
            }
        }
        return backedUp;
    }

    /** True if the group's offsets belong in the snapshot. */
    boolean includesGroup(String groupId) {
        return groupsInclude.matcher(groupId).matches() && !groupsExclude.matcher(groupId).matches();
    }

    /** True if a config set on a topic is worth restoring on another cluster. */
    static boolean keepsConfig(String name) {
        return !SOURCE_ONLY_CONFIGS.contains(name);
    }
}
