package dev.kbackup.restore;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.connect.errors.ConnectException;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Waits, bounded, until every target partition has a leader: a topic created a moment ago has none yet, and a
 * producer writing to it meets NOT_LEADER_OR_FOLLOWER retries (and, idempotent, can loop on OUT_OF_ORDER_SEQUENCE).
 */
final class PartitionLeaders {

    /** Sleeps between polls; a test passes one that advances its clock instead. */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    static final long FIRST_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 1_000;

    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final Function<Set<TopicPartition>, Set<TopicPartition>> withoutLeader;
    private final LongSupplier clockMs;
    private final Sleeper sleeper;
    private final long timeoutMs;

    /**
     * @param withoutLeader given partitions, those of them that have no leader yet (a missing one counts as such)
     */
    PartitionLeaders(Function<Set<TopicPartition>, Set<TopicPartition>> withoutLeader, LongSupplier clockMs,
                     Sleeper sleeper, long timeoutMs) {
        this.withoutLeader = withoutLeader;
        this.clockMs = clockMs;
        this.sleeper = sleeper;
        this.timeoutMs = timeoutMs;
    }

    /** Asks {@code admin} for the leaders, with the real clock. */
    static PartitionLeaders of(Admin admin, long timeoutMs) {
        return new PartitionLeaders(partitions -> withoutLeader(admin, partitions, timeoutMs),
                System::currentTimeMillis, Thread::sleep, timeoutMs);
    }

    /** Returns once each of {@code partitions} has a leader; throws if some still have none after the timeout. */
    void await(Collection<TopicPartition> partitions) {
        long deadline = clockMs.getAsLong() + timeoutMs;
        long backoff = FIRST_BACKOFF_MS;
        Set<TopicPartition> missing = withoutLeader.apply(sorted(partitions));
        while (!missing.isEmpty()) {
            long left = deadline - clockMs.getAsLong();
            if (left <= 0) {
                throw new ConnectException(timeoutMessage(missing));
            }
            try {
                sleeper.sleep(Math.min(backoff, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("Interrupted while waiting for target partitions " + sorted(missing)
                        + " to get a leader", e);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            missing = withoutLeader.apply(sorted(missing));
        }
    }

    private String timeoutMessage(Set<TopicPartition> missing) {
        Map<String, Set<Integer>> byTopic = new TreeMap<>();
        missing.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition()));
        String list = byTopic.entrySet().stream()
                .map(e -> "topic '" + e.getKey() + "' partitions " + e.getValue())
                .collect(Collectors.joining(", "));
        return "Target " + list + " still have no leader " + timeoutMs + " ms after the restore started waiting, "
                + "so nothing can be written to them. Check that the target cluster's brokers are up and healthy "
                + "(kafka-topics.sh --describe --topic <topic> shows 'Leader: none' for such partitions) and that "
                + "the topic's replication factor (" + RestoreConfig.CREATE_TOPICS_REPLICATION_FACTOR
                + " for topics the restore creates) is not above the number of live brokers.";
    }

    private static Set<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        Set<TopicPartition> set = new TreeSet<>(ORDER);
        set.addAll(partitions);
        return set;
    }

    /** Those of {@code partitions} whose topic description shows no leader (or does not show them at all yet). */
    static Set<TopicPartition> withoutLeader(Admin admin, Set<TopicPartition> partitions, long timeoutMs) {
        Set<String> topics = partitions.stream().map(TopicPartition::topic).collect(Collectors.toSet());
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics).topicNameValues();
        Set<TopicPartition> missing = new TreeSet<>(ORDER);
        for (TopicPartition partition : partitions) {
            TopicDescription description = describe(futures.get(partition.topic()), partition.topic(), timeoutMs);
            boolean led = description != null && description.partitions().stream()
                    .anyMatch(info -> info.partition() == partition.partition() && hasLeader(info));
            if (!led) {
                missing.add(partition);
            }
        }
        return missing;
    }

    private static boolean hasLeader(TopicPartitionInfo info) {
        return info.leader() != null && !info.leader().isEmpty();
    }

    /** The description, or null while the cluster's metadata does not know the topic yet. */
    private static TopicDescription describe(KafkaFuture<TopicDescription> future, String topic, long timeoutMs) {
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw new ConnectException("Could not describe target topic '" + topic + "' to check its partition "
                    + "leaders: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while describing target topic '" + topic + "'", e);
        } catch (TimeoutException e) {
            throw new ConnectException("The Kafka cluster did not answer within " + timeoutMs + " ms while "
                    + "describing target topic '" + topic + "'; check cluster.bootstrap.servers and the cluster.* "
                    + "security settings", e);
        }
    }
}
