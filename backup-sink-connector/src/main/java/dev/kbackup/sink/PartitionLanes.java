package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs each partition's work one piece at a time in the order it was given, while the work of different partitions
 * runs side by side on a shared executor. A partition with work has exactly one turn on the executor at a time,
 * which runs its oldest piece and then queues the partition's next turn behind the other partitions' turns, so a
 * busy partition does not starve the rest. Work is given from one thread (the task's).
 */
final class PartitionLanes {

    private final Executor executor;
    /** The pieces of each partition with work, oldest (possibly running) first; guarded by this. */
    private final Map<TopicPartition, Deque<Piece>> lanes = new HashMap<>();
    /** Tickets of the pieces not yet done; guarded by this. */
    private final TreeSet<Long> pending = new TreeSet<>();
    private long lastTicket;

    PartitionLanes(Executor executor) {
        this.executor = executor;
    }

    /**
     * Queues {@code work} behind the partition's earlier work.
     *
     * @throws RejectedExecutionException if the executor refuses it (shut down); the work will not run
     */
    void execute(TopicPartition partition, Runnable work) {
        boolean idle;
        synchronized (this) {
            Piece piece = new Piece(++lastTicket, work);
            pending.add(piece.ticket);
            Deque<Piece> lane = lanes.computeIfAbsent(partition, p -> new ArrayDeque<>());
            idle = lane.isEmpty();
            lane.addLast(piece);
        }
        if (idle) {
            try {
                executor.execute(() -> runOldest(partition));
            } catch (RuntimeException e) {
                drop(partition);
                throw e;
            }
        }
    }

    /**
     * Waits until every piece given before this call is done, whichever partition it belongs to; pieces given
     * meanwhile are not waited for. False if the timeout passed first.
     */
    synchronized boolean awaitGiven(long timeoutMillis) throws InterruptedException {
        long target = lastTicket;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!pending.isEmpty() && pending.first() <= target) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** One turn of a partition: its oldest piece, then the next turn if more is queued (even if the piece threw). */
    private void runOldest(TopicPartition partition) {
        Piece piece;
        synchronized (this) {
            piece = lanes.get(partition).peekFirst();
        }
        try {
            piece.work.run();
        } finally {
            if (done(partition, piece)) {
                try {
                    executor.execute(() -> runOldest(partition));
                } catch (RejectedExecutionException e) {
                    // Only a forced stop refuses a turn in flight: what the partition had left will not run.
                    drop(partition);
                }
            }
        }
    }

    /** Marks the partition's oldest piece done; true if the partition has more. */
    private synchronized boolean done(TopicPartition partition, Piece piece) {
        Deque<Piece> lane = lanes.get(partition);
        lane.removeFirst();
        pending.remove(piece.ticket);
        notifyAll();
        if (lane.isEmpty()) {
            lanes.remove(partition);
            return false;
        }
        return true;
    }

    /** Forgets the partition's queued pieces, which will not run. */
    private synchronized void drop(TopicPartition partition) {
        Deque<Piece> lane = lanes.remove(partition);
        if (lane != null) {
            lane.forEach(piece -> pending.remove(piece.ticket));
            notifyAll();
        }
    }

    private record Piece(long ticket, Runnable work) {
    }
}
