package dev.kbackup.testing;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Produces JSON-like records to a topic in the background at a steady pace until stopped. */
public final class ContinuousProducer implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread;
    private volatile Throwable failure;

    private ContinuousProducer(String bootstrapServers, String topic, int partitions, int recordsPerSecond) {
        thread = new Thread(() -> run(bootstrapServers, topic, partitions, recordsPerSecond), "continuous-producer");
        thread.setDaemon(true);
        thread.start();
    }

    public static ContinuousProducer start(String bootstrapServers, String topic, int partitions,
                                           int recordsPerSecond) {
        return new ContinuousProducer(bootstrapServers, topic, partitions, recordsPerSecond);
    }

    public long sent() {
        return sent.get();
    }

    /** Stops producing and waits until everything sent is acknowledged. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(30_000);
        if (failure != null) {
            throw new AssertionError("Producer failed", failure);
        }
    }

    private void run(String bootstrapServers, String topic, int partitions, int recordsPerSecond) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrapServers, Map.of())) {
            long started = System.nanoTime();
            long i = 0;
            while (running.get()) {
                long due = started + i * 1_000_000_000L / recordsPerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                byte[] value = ("{\"order\":" + i + ",\"status\":\"PAID\",\"amount\":" + (i % 977)
                        + ",\"currency\":\"EUR\",\"note\":\"steady stream of orders\"}")
                        .getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, (int) (i % partitions), ("order-" + i).getBytes(), value),
                        (metadata, exception) -> {
                            if (exception != null) {
                                failure = exception;
                            }
                        });
                sent.incrementAndGet();
                i++;
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }
}
