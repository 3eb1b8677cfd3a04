package dev.kbackup.quickstart;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Realistic demo data: an {@code orders} topic (6 partitions) of order events and a {@code payments} topic
 * (3 partitions) of the payments for most of them, JSON values keyed by customer, with tracing headers. Event
 * timestamps are spread evenly over the two hours before now, so that a restore window can pick a part of them.
 */
final class DemoOrders {

    static final String ORDERS = "orders";
    static final String PAYMENTS = "payments";
    static final Map<String, Integer> TOPICS = Map.of(ORDERS, 6, PAYMENTS, 3);

    private static final String[] SKUS = {"kb-mug-01", "kb-tee-m", "kb-tee-l", "kb-sticker", "kb-hoodie-m",
        "kb-cap", "kb-notebook", "kb-pen-blue", "kb-socks", "kb-bottle"};
    private static final String[] STATUSES = {"CREATED", "CREATED", "CREATED", "CONFIRMED", "CANCELLED"};
    private static final String[] METHODS = {"card", "card", "paypal", "sepa", "apple-pay"};

    private final String bootstrapServers;

    DemoOrders(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** What was produced: counts, payload bytes and the timestamp range. */
    record Produced(int orders, int payments, long bytes, long firstTimestamp, long lastTimestamp) {

        long records() {
            return orders + payments;
        }

        void writeTo(Properties demo) {
            demo.setProperty("topics", ORDERS + "," + PAYMENTS);
            demo.setProperty("orders.count", Integer.toString(orders));
            demo.setProperty("payments.count", Integer.toString(payments));
            demo.setProperty("records", Long.toString(records()));
            demo.setProperty("bytes", Long.toString(bytes));
            demo.setProperty("first.timestamp", Long.toString(firstTimestamp));
            demo.setProperty("last.timestamp", Long.toString(lastTimestamp));
            // the middle half of the data, on whole minutes: a point-in-time restore of part of the backup
            long span = lastTimestamp - firstTimestamp;
            Instant start = Instant.ofEpochMilli(firstTimestamp + span / 4).truncatedTo(ChronoUnit.MINUTES);
            Instant end = Instant.ofEpochMilli(firstTimestamp + 3 * span / 4).truncatedTo(ChronoUnit.MINUTES);
            demo.setProperty("window.start", start.toString());
            demo.setProperty("window.end", end.toString());
            demo.setProperty("topic.mapping", ORDERS + ":" + ORDERS + "-restored," + PAYMENTS + ":" + PAYMENTS
                    + "-restored");
        }

        String describe() {
            return String.format(Locale.ROOT, "Produced %d order events to '%s' (%d partitions) and %d payments to "
                    + "'%s' (%d partitions): %s of keys, values and headers, timestamps %s .. %s",
                    orders, ORDERS, TOPICS.get(ORDERS), payments, PAYMENTS, TOPICS.get(PAYMENTS), Sizes.human(bytes),
                    Instant.ofEpochMilli(firstTimestamp), Instant.ofEpochMilli(lastTimestamp));
        }
    }

    Produced createTopicsAndProduce(int orderCount) throws Exception {
        createTopics();
        Random random = new Random(20261123L);
        long start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2)).toEpochMilli();
        long step = Duration.ofHours(2).toMillis() / orderCount;
        long bytes = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int payments = 0;
        List<Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < orderCount; i++) {
                String orderId = String.format(Locale.ROOT, "o-%06d", 100_000 + i);
                String customer = String.format(Locale.ROOT, "c-%04d", random.nextInt(800));
                long timestamp = start + i * step + random.nextInt((int) Math.max(1, step));
                String status = STATUSES[random.nextInt(STATUSES.length)];
                int lines = 1 + random.nextInt(4);
                StringBuilder items = new StringBuilder();
                long totalCents = 0;
                for (int line = 0; line < lines; line++) {
                    int quantity = 1 + random.nextInt(3);
                    int priceCents = 299 + random.nextInt(5000);
                    totalCents += (long) quantity * priceCents;
                    items.append(line == 0 ? "" : ",").append(String.format(Locale.ROOT,
                            "{\"sku\":\"%s\",\"quantity\":%d,\"unitPrice\":%d.%02d}",
                            SKUS[random.nextInt(SKUS.length)], quantity, priceCents / 100, priceCents % 100));
                }
                String order = String.format(Locale.ROOT, "{\"orderId\":\"%s\",\"customerId\":\"%s\",\"status\":\"%s\","
                        + "\"items\":[%s],\"total\":%d.%02d,\"currency\":\"EUR\",\"channel\":\"%s\","
                        + "\"shippingAddress\":{\"country\":\"%s\",\"postalCode\":\"%05d\"},\"createdAt\":\"%s\"}",
                        orderId, customer, status, items, totalCents / 100, totalCents % 100,
                        random.nextBoolean() ? "web" : "mobile", random.nextBoolean() ? "DE" : "NL",
                        random.nextInt(100_000), Instant.ofEpochMilli(timestamp));
                bytes += send(producer, sent, ORDERS, customer, order, timestamp, "OrderCreated", "checkout-service",
                        random);
                first = Math.min(first, timestamp);
                last = Math.max(last, timestamp);
                if (!"CANCELLED".equals(status) && random.nextInt(10) < 8) {
                    long paidAt = timestamp + 2_000 + random.nextInt(60_000);
                    String payment = String.format(Locale.ROOT, "{\"paymentId\":\"p-%06d\",\"orderId\":\"%s\","
                            + "\"customerId\":\"%s\",\"amount\":%d.%02d,\"currency\":\"EUR\",\"method\":\"%s\","
                            + "\"status\":\"CAPTURED\",\"capturedAt\":\"%s\"}", 100_000 + payments, orderId, customer,
                            totalCents / 100, totalCents % 100, METHODS[random.nextInt(METHODS.length)],
                            Instant.ofEpochMilli(paidAt));
                    bytes += send(producer, sent, PAYMENTS, orderId, payment, paidAt, "PaymentCaptured",
                            "payment-service", random);
                    payments++;
                    first = Math.min(first, paidAt);
                    last = Math.max(last, paidAt);
                }
            }
            producer.flush();
            for (Future<?> future : sent) {
                future.get();
            }
        }
        return new Produced(orderCount, payments, bytes, first, last);
    }

    /** Sends one event and returns its key, value and header bytes. */
    private static long send(KafkaProducer<byte[], byte[]> producer, List<Future<?>> sent, String topic, String key,
                             String value, long timestamp, String eventType, String source, Random random) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, timestamp, keyBytes, valueBytes);
        String traceId = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
        record.headers().add(new RecordHeader("event-type", eventType.getBytes(StandardCharsets.UTF_8)));
        record.headers().add(new RecordHeader("source", source.getBytes(StandardCharsets.UTF_8)));
        record.headers().add(new RecordHeader("trace-id", traceId.getBytes(StandardCharsets.UTF_8)));
        record.headers().add(new RecordHeader("schema-version", new byte[] {'3'}));
        sent.add(producer.send(record));
        long headerBytes = 0;
        for (var header : record.headers()) {
            headerBytes += header.key().length() + header.value().length;
        }
        return keyBytes.length + valueBytes.length + headerBytes;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        return new KafkaProducer<>(props);
    }

    /** Creates the topics and waits until every partition has a leader, so no record is sent into a void. */
    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> topics = new ArrayList<>();
            TOPICS.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
            for (var result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            TOPICS.forEach((name, count) -> {
                for (int p = 0; p < count; p++) {
                    partitions.put(new TopicPartition(name, p), OffsetSpec.latest());
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    admin.listOffsets(partitions).all().get();
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The demo topics have no leaders after 30 s", e.getCause());
                    }
                    Thread.sleep(200);
                }
            }
        }
    }
}
