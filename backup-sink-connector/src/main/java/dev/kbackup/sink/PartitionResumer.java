package dev.kbackup.sink;

import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.storage.StorageException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Finds where each newly assigned partition resumes: the last offset stored in its segments (where its catalog
 * ends, from the keys of its {@code index/} folder, and a listing of its segments after that), whatever task or
 * worker wrote them, read in parallel on its own threads. Partitions wait here until their state could be read;
 * they leave all together.
 */
final class PartitionResumer implements AutoCloseable {

    private static final int THREADS = 8;
    /**
     * Waiting partitions of one topic from which its {@code index/} folder is listed once for all of them (a page
     * of 1,000 keys covers dozens of partitions) rather than once per partition.
     */
    static final int TOPIC_LISTING_FROM = 16;

    private final BackupCatalog catalog;
    private final ExecutorService readers;
    /** Assigned partitions whose resume point is not known yet because storage could not be read. */
    private final Set<TopicPartition> waiting = new HashSet<>();

    PartitionResumer(BackupCatalog catalog, String threadName) {
        this.catalog = catalog;
        this.readers = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    void assigned(TopicPartition partition) {
        waiting.add(partition);
    }

    void revoked(Collection<TopicPartition> partitions) {
        waiting.removeAll(partitions);
    }

    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    Set<TopicPartition> waiting() {
        return Set.copyOf(waiting);
    }

    /**
     * Reads where every waiting partition's backup continues (the highest offset stored, -1 if none); they stop
     * waiting only if all reads succeed.
     *
     * @throws StorageException a retriable storage failure: the partitions still wait
     * @throws ConnectException any other failure to read a partition's state
     */
    Map<TopicPartition, Long> resumeWaiting() {
        Map<String, List<TopicPartition>> byTopic = waiting.stream()
                .collect(Collectors.groupingBy(TopicPartition::topic));
        Map<TopicPartition, Future<Long>> reads = new HashMap<>();
        for (Map.Entry<String, List<TopicPartition>> topic : byTopic.entrySet()) {
            Map<Integer, Long> ends = topic.getValue().size() >= TOPIC_LISTING_FROM
                    ? await(readers.submit(() -> catalog.catalogEnds(topic.getKey())), "topic " + topic.getKey())
                    : null;
            for (TopicPartition partition : topic.getValue()) {
                reads.put(partition, readers.submit(() -> ends == null
                        ? catalog.resumeAfter(partition.topic(), partition.partition())
                        : catalog.resumeAfter(partition.topic(), partition.partition(),
                        ends.getOrDefault(partition.partition(), -1L))));
            }
        }
        Map<TopicPartition, Long> durable = new HashMap<>();
        for (Map.Entry<TopicPartition, Future<Long>> entry : reads.entrySet()) {
            durable.put(entry.getKey(), await(entry.getValue(), entry.getKey().toString()));
        }
        waiting.clear();
        return durable;
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }

    /** @param what the partition, or the topic, whose backup state {@code future} reads */
    private static <T> T await(Future<T> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while resuming " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StorageException storage && storage.isRetriable()) {
                throw storage;
            }
            throw new ConnectException("Could not read the backup state of " + what + ": " + cause.getMessage(),
                    cause);
        }
    }
}
