package dev.kbackup.bench.run;

import dev.kbackup.bench.data.DataFile;
import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends a data file into a topic with a plain {@link KafkaProducer} tuned for throughput (acks=all, linger 20 ms,
 * 512 KB batches, no compression): it loads the source topics, and timed, it is the restore's ceiling, the rate at
 * which this cluster takes these records from a client at all.
 */
final class TopicLoader {

    static final int BATCH_BYTES = 512 * 1024;
    static final int LINGER_MS = 20;

    private TopicLoader() {
    }

    /** Sends every record of {@code data}, record i to partition i mod {@code partitions}; returns the seconds taken. */
    static double load(String bootstrapServers, DataFile data, String topic, int partitions) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, exception) -> {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
        };
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.partitionsFor(topic); // metadata fetched before the clock starts
            long[] index = {0};
            long start = System.nanoTime();
            data.forEach(record -> {
                int partition = (int) (index[0]++ % partitions);
                producer.send(new ProducerRecord<>(topic, partition, record.timestamp(), record.key(),
                        record.value(), headers(record)), callback);
            });
            producer.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (failure.get() != null) {
                throw new IllegalStateException("Producing into " + topic + " failed", failure.get());
            }
            return seconds;
        }
    }

    private static List<Header> headers(BackupRecord record) {
        List<Header> headers = new ArrayList<>(record.headers().size());
        for (BackupHeader header : record.headers()) {
            headers.add(new RecordHeader(header.key(), header.value()));
        }
        return headers;
    }
}
