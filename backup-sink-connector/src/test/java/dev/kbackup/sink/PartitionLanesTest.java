package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-partition order over a shared executor, driven turn by turn. */
class PartitionLanesTest {

    private static final TopicPartition A = new TopicPartition("orders", 0);
    private static final TopicPartition B = new TopicPartition("orders", 1);

    private final HeldTurns executor = new HeldTurns();
    private final PartitionLanes lanes = new PartitionLanes(executor);
    private final List<String> ran = new ArrayList<>();

    @Test
    void aPartitionHasOneTurnAtATimeAndItsWorkRunsInTheOrderGiven() {
        lanes.execute(A, () -> ran.add("a1"));
        lanes.execute(A, () -> ran.add("a2"));
        lanes.execute(A, () -> ran.add("a3"));
        assertEquals(1, executor.turns.size(), "a partition's later work waits for its turn, off the executor");

        executor.runOldest();
        assertEquals(List.of("a1"), ran);
        assertEquals(1, executor.turns.size(), "the next turn was queued after the piece ran");
        executor.runOldest();
        executor.runOldest();
        assertEquals(List.of("a1", "a2", "a3"), ran);
        assertTrue(executor.turns.isEmpty());
    }

    @Test
    void partitionsTakeTurnsAndOneDoesNotWaitForAnother() {
        lanes.execute(A, () -> ran.add("a1"));
        lanes.execute(A, () -> ran.add("a2"));
        lanes.execute(B, () -> ran.add("b1"));
        assertEquals(2, executor.turns.size(), "one turn per partition with work");

        executor.runNewest();
        assertEquals(List.of("b1"), ran, "B ran while A's turn was still waiting");
        executor.runOldest();
        assertEquals(List.of("b1", "a1"), ran);
        lanes.execute(B, () -> ran.add("b2"));
        assertEquals(List.of("a2", "b2"), executor.drainNames(ran),
                "turns run in the order partitions asked for them: A's next turn was queued before B's new one");
    }

    @Test
    void aPieceThatThrowsDoesNotStopThePartitionsLaterWork() {
        lanes.execute(A, () -> {
            throw new IllegalStateException("test");
        });
        lanes.execute(A, () -> ran.add("a2"));

        assertThrows(IllegalStateException.class, executor::runOldest);
        executor.runOldest();
        assertEquals(List.of("a2"), ran);
    }

    @Test
    void awaitingCoversTheWorkOfEveryPartitionGivenBeforeButNotAfter() throws Exception {
        lanes.execute(A, () -> ran.add("a1"));
        lanes.execute(B, () -> ran.add("b1"));
        assertFalse(lanes.awaitGiven(0));

        executor.runNewest();
        assertFalse(lanes.awaitGiven(0), "B is done, A's work is still queued");
        executor.runOldest();
        assertTrue(lanes.awaitGiven(0));

        lanes.execute(A, () -> ran.add("a2"));
        assertFalse(lanes.awaitGiven(0));
        executor.runOldest();
        assertTrue(lanes.awaitGiven(0));
        assertEquals(List.of("b1", "a1", "a2"), ran);
    }

    @Test
    void workTheExecutorRefusesIsForgottenSoAwaitingDoesNotHang() throws Exception {
        executor.refusing = true;
        assertThrows(RejectedExecutionException.class, () -> lanes.execute(A, () -> ran.add("a1")));
        assertTrue(lanes.awaitGiven(0));

        executor.refusing = false;
        lanes.execute(A, () -> ran.add("a2"));
        executor.runOldest();
        assertEquals(List.of("a2"), ran, "the partition takes work again");
    }

    /** Holds every turn given to it until the test runs it, oldest or newest first. */
    private static final class HeldTurns implements Executor {
        final Deque<Runnable> turns = new ArrayDeque<>();
        boolean refusing;

        @Override
        public void execute(Runnable turn) {
            if (refusing) {
                throw new RejectedExecutionException("test: shut down");
            }
            turns.addLast(turn);
        }

        void runOldest() {
            turns.removeFirst().run();
        }

        void runNewest() {
            turns.removeLast().run();
        }

        /** Runs turns oldest first until none is left; returns what they added to {@code ran}. */
        List<String> drainNames(List<String> ran) {
            int before = ran.size();
            while (!turns.isEmpty()) {
                runOldest();
            }
            return List.copyOf(ran.subList(before, ran.size()));
        }
    }
}
