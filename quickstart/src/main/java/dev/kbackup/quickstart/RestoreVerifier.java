package dev.kbackup.quickstart;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Checks a point-in-time restore into renamed topics against the original topics: every original record whose
 * timestamp lies in the window must be in the target topic's same partition, once, in the same order, with the
 * same key, value, headers and timestamp, followed by the restore's x-original-* headers naming where it came from.
 */
final class RestoreVerifier {

    private static final List<String> ORIGINAL_HEADERS = List.of("x-original-topic", "x-original-partition",
            "x-original-offset", "x-original-timestamp");

    private RestoreVerifier() {
    }

    static boolean verifyAndSummarize(String bootstrap, Properties storage, Properties demo, Duration timeout)
            throws InterruptedException {
        Instant start = Instant.parse(demo.getProperty("window.start"));
        Instant end = Instant.parse(demo.getProperty("window.end"));
        Map<String, String> mapping = parseMapping(demo.getProperty("topic.mapping"));

        Map<String, Map<Integer, List<ConsumerRecord<byte[], byte[]>>>> expected = new LinkedHashMap<>();
        long expectedCount = 0;
        long originalCount = 0;
        for (String topic : mapping.keySet()) {
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> inWindow = new LinkedHashMap<>();
            for (var partition : TopicReader.readAll(bootstrap, topic).entrySet()) {
                originalCount += partition.getValue().size();
                List<ConsumerRecord<byte[], byte[]>> kept = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : partition.getValue()) {
                    if (record.timestamp() >= start.toEpochMilli() && record.timestamp() < end.toEpochMilli()) {
                        kept.add(record);
                    }
                }
                inWindow.put(partition.getKey(), kept);
                expectedCount += kept.size();
            }
            expected.put(topic, inWindow);
        }

        System.out.printf(Locale.ROOT, "Waiting for the restore of %d records (of %d) into %s%n", expectedCount,
                originalCount, String.join(", ", mapping.values()));
        Map<String, Map<Integer, List<ConsumerRecord<byte[], byte[]>>>> restored = new LinkedHashMap<>();
        long restoredCount = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            restored.clear();
            restoredCount = 0;
            for (String target : mapping.values()) {
                Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records = TopicReader.readAll(bootstrap, target);
                restored.put(target, records);
                restoredCount += records.values().stream().mapToLong(List::size).sum();
            }
            if (restoredCount >= expectedCount || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1000);
        }

        List<String> problems = new ArrayList<>();
        if (restoredCount != expectedCount) {
            problems.add("expected " + expectedCount + " restored records, found " + restoredCount);
        }
        mapping.forEach((source, target) -> expected.get(source).forEach((partition, want) -> compare(source,
                partition, want, restored.get(target).getOrDefault(partition, List.of()), problems)));

        BackupProgress.Totals backup = BackupProgress.read(storage);
        System.out.println();
        System.out.println("==================== kbackup quickstart summary ====================");
        System.out.printf(Locale.ROOT, "Produced        %d records (%s orders, %s payments), %s%n",
                originalCount, demo.getProperty("orders.count"), demo.getProperty("payments.count"),
                Sizes.human(Long.parseLong(demo.getProperty("bytes", "0"))));
        System.out.printf(Locale.ROOT, "Backed up       %s%n", backup.describe());
        System.out.printf(Locale.ROOT, "Compression     %.1fx (%s, backup.id %s)%n", backup.compressionRatio(),
                storage.getProperty("compression.type", "zstd"), storage.getProperty("backup.id"));
        System.out.printf(Locale.ROOT, "Restore window  %s .. %s (start inclusive, end exclusive)%n", start, end);
        System.out.printf(Locale.ROOT, "Restored        %d records into %s%n", restoredCount,
                String.join(", ", mapping.values()));
        if (problems.isEmpty()) {
            System.out.println("Verification    PASSED: every record in the window is in its target partition once, "
                    + "in order, with the same key, value, headers and timestamp");
        } else {
            System.out.println("Verification    FAILED (" + problems.size() + " problems), first ones:");
            problems.stream().limit(10).forEach(problem -> System.out.println("  - " + problem));
        }
        System.out.println("====================================================================");
        return problems.isEmpty();
    }

    private static void compare(String topic, int partition, List<ConsumerRecord<byte[], byte[]>> want,
                                List<ConsumerRecord<byte[], byte[]>> got, List<String> problems) {
        if (want.size() != got.size()) {
            problems.add(topic + "-" + partition + ": expected " + want.size() + " records, restored " + got.size());
        }
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            ConsumerRecord<byte[], byte[]> original = want.get(i);
            ConsumerRecord<byte[], byte[]> copy = got.get(i);
            String at = topic + "-" + partition + " offset " + original.offset();
            if (!Arrays.equals(original.key(), copy.key()) || !Arrays.equals(original.value(), copy.value())) {
                problems.add(at + ": key or value differs");
            }
            if (original.timestamp() != copy.timestamp()) {
                problems.add(at + ": timestamp " + copy.timestamp() + " instead of " + original.timestamp());
            }
            List<String> originalHeaders = headers(original, false);
            if (!originalHeaders.equals(headers(copy, false))) {
                problems.add(at + ": headers " + headers(copy, false) + " instead of " + originalHeaders);
            }
            List<String> provenance = headers(copy, true);
            List<String> wantProvenance = List.of("x-original-topic=" + topic, "x-original-partition=" + partition,
                    "x-original-offset=" + original.offset(), "x-original-timestamp=" + original.timestamp());
            if (!provenance.equals(wantProvenance)) {
                problems.add(at + ": x-original-* headers " + provenance + " instead of " + wantProvenance);
            }
        }
    }

    /** The record's own headers, or only the restore's x-original-* ones, as key=value strings. */
    private static List<String> headers(ConsumerRecord<byte[], byte[]> record, boolean provenance) {
        List<String> result = new ArrayList<>();
        for (Header header : record.headers()) {
            if (ORIGINAL_HEADERS.contains(header.key()) == provenance) {
                result.add(header.key() + "=" + (header.value() == null ? "null"
                        : new String(header.value(), StandardCharsets.UTF_8)));
            }
        }
        return result;
    }

    private static Map<String, String> parseMapping(String mapping) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String pair : mapping.split(",")) {
            String[] parts = pair.trim().split(":");
            result.put(parts[0].trim(), parts[1].trim());
        }
        return result;
    }
}
