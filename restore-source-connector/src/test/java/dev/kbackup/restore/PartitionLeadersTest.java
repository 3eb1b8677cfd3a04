package dev.kbackup.restore;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionLeadersTest {

    private static final TopicPartition T0 = new TopicPartition("restored", 0);
    private static final TopicPartition T1 = new TopicPartition("restored", 1);
    private static final TopicPartition T2 = new TopicPartition("restored", 2);

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<Long> sleeps = new ArrayList<>();
    private final List<Set<TopicPartition>> asked = new ArrayList<>();

    /** Answers each describe with the next scripted set of leaderless partitions (the last one repeats). */
    private PartitionLeaders scripted(long timeoutMs, List<Set<TopicPartition>> answers) {
        Deque<Set<TopicPartition>> queue = new ArrayDeque<>(answers);
        return new PartitionLeaders(partitions -> {
            asked.add(Set.copyOf(partitions));
            return queue.size() > 1 ? queue.poll() : queue.peek();
        }, now::get, millis -> {
            sleeps.add(millis);
            now.addAndGet(millis);
        }, timeoutMs);
    }

    @Test
    void returnsOnlyOnceEveryPartitionHasALeader() {
        PartitionLeaders leaders = scripted(60_000, List.of(Set.of(T0, T1, T2), Set.of(T1, T2), Set.of(T2), Set.of()));

        leaders.await(List.of(T0, T1, T2));

        assertEquals(List.of(Set.of(T0, T1, T2), Set.of(T0, T1, T2), Set.of(T1, T2), Set.of(T2)), asked,
                "polls until the last leaderless partition has a leader, asking only about those still without one");
        assertEquals(List.of(50L, 100L, 200L), sleeps, "backs off between polls");
        assertEquals(1_350, now.get());
    }

    @Test
    void doesNotWaitWhenAllPartitionsAlreadyHaveLeaders() {
        PartitionLeaders leaders = scripted(60_000, List.of(Set.of()));

        leaders.await(List.of(T0, T1));

        assertEquals(1, asked.size());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void failsNamingTheLeaderlessPartitionsOnceTheTimeoutPasses() {
        PartitionLeaders leaders = scripted(5_000, List.of(Set.of(T0, T2), Set.of(T2)));

        ConnectException e = assertThrows(ConnectException.class, () -> leaders.await(List.of(T0, T1, T2)));

        assertTrue(e.getMessage().startsWith("Target topic 'restored' partitions [2] still have no leader 5000 ms"),
                e.getMessage());
        assertTrue(e.getMessage().contains("brokers are up"), e.getMessage());
        assertTrue(e.getMessage().contains(RestoreConfig.CREATE_TOPICS_REPLICATION_FACTOR), e.getMessage());
        assertEquals(6_000, now.get(), "waits the whole timeout, no longer");
        assertEquals(List.of(50L, 100L, 200L, 400L, 800L, 1_000L, 1_000L, 1_000L, 450L), sleeps);
    }
}
