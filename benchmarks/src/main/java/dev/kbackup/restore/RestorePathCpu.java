package dev.kbackup.restore;

import dev.kbackup.bench.data.DataSet;
import dev.kbackup.bench.profile.CpuRounds;
import dev.kbackup.bench.profile.HarnessArgs;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentFormat;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentWriter;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.MemoryObjectStore;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CPU the restore connector's own path spends per GB (issue 14), without Kafka, so that a change to it can be
 * measured before and after by thread CPU time rather than by a whole restore's noisy worker CPU. A data set is
 * backed up into memory as the sink cuts it (zstd-3, 1 MiB blocks, 128 MB segments, one partition); each round
 * restores all of it through {@link AssignedPartitions} as {@link RestoreSourceTask#poll()} does (read-ahead,
 * decoding, {@link SourceRecordConverter}), converts every record as Connect's source task does before its
 * producer (ByteArrayConverter for key, value and headers), and acknowledges it as the producer's callback does.
 * Reported per GB of payload: the poll thread's CPU in our code (nextBatch and acknowledged), in Connect's
 * conversion, and the whole process (read-ahead threads, GC, JIT). Lives in the restore's package to reach the
 * package-private classes it drives.
 *
 * <pre>java -cp ... dev.kbackup.restore.RestorePathCpu [json|binary] [MB=200] [rounds=8] [warm-up rounds=3]</pre>
 */
public final class RestorePathCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final String BACKUP = "bench";
    private static final long SEED = 20_260_101;
    private static final long SEGMENT_PAYLOAD_BYTES = 128_000_000L;

    private final MemoryObjectStore store = new MemoryObjectStore();
    private final TopicPartition partition;
    private final List<SegmentInfo> segments = new ArrayList<>();
    private final ByteArrayConverter converter = new ByteArrayConverter();
    private long payloadBytes;
    private long records;

    private RestorePathCpu(DataSet dataSet, long megabytes) throws Exception {
        this.partition = new TopicPartition(dataSet.topic(), 0);
        converter.configure(Map.of(), false);
        DataSet.RecordGenerator generator = dataSet.generator(SEED);
        long target = megabytes * 1_000_000L;
        while (payloadBytes < target) {
            segments.add(writeSegment(generator, Math.min(SEGMENT_PAYLOAD_BYTES, target - payloadBytes)));
        }
    }

    public static void main(String[] args) throws Exception {
        HarnessArgs parsed = HarnessArgs.parse(args, 8, 3);
        DataSet dataSet = parsed.dataSet();
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        RestorePathCpu bench = new RestorePathCpu(dataSet, parsed.megabytes());
        System.out.printf("%s: %d records, %.1f MB payload, %d segments%n", dataSet.id(), bench.records,
                bench.payloadBytes / 1e6, bench.segments.size());
        List<Round> measured = CpuRounds.run(parsed, bench::round);
        System.out.printf("median CPU s/GB: ours (poll thread) %.3f, Connect conversion %.3f, process %.3f%n",
                CpuRounds.median(measured, Round::ours), CpuRounds.median(measured, Round::connect),
                CpuRounds.median(measured, Round::process));
    }

    private SegmentInfo writeSegment(DataSet.RecordGenerator generator, long segmentBytes) throws Exception {
        BackupRecord first = generator.next();
        String key = new BackupLayout(BACKUP).segmentKey(partition.topic(), partition.partition(), first.offset(),
                Codec.ZSTD);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockCompressor compressor = Codec.ZSTD.newCompressor(Codec.ZSTD_DEFAULT_LEVEL)) {
            SegmentWriter writer = new SegmentWriter(key, partition.topic(), partition.partition(), compressor, out,
                    SegmentFormat.DEFAULT_BLOCK_BYTES, segments.isEmpty() ? -1
                    : segments.get(segments.size() - 1).lastOffset() + 1);
            long bytes = 0;
            for (BackupRecord record = first; ; record = generator.next()) {
                writer.append(record);
                bytes += record.payloadBytes();
                records++;
                if (bytes >= segmentBytes) {
                    break;
                }
            }
            payloadBytes += bytes;
            SegmentInfo info = writer.finish();
            store.put(key, out.toByteArray(), WriteMode.OVERWRITE);
            return info;
        }
    }

    /** Restores every segment once; returns the CPU seconds per GB of payload. */
    private Round round() throws InterruptedException {
        long processStart = OS.getProcessCpuTime();
        long ours = 0;
        long connect = 0;
        long restored = 0;
        long targetOffset = 0;
        SegmentPrefetcher prefetcher = new SegmentPrefetcher(store, 256L << 20, 2, "bench-restore",
                SegmentPrefetcher.NO_LISTENER);
        try (RestoreMetrics metrics = new RestoreMetrics(null, "bench:")) {
            RestorePolicy policy = new RestorePolicy(TimeWindow.ALL, CorruptSegmentPolicy.FAIL,
                    RestoreConfig.DEFAULT_BATCH_MAX_RECORDS, Throttle.unlimited(), 64L << 20);
            AssignedPartitions restore = new AssignedPartitions(new RestoreTaskId(BACKUP, "restore-bench", 0),
                    policy, metrics, new RestoreObjects(store, new RestoreKeys(new BackupLayout(BACKUP),
                    "restore-bench")), Clock.systemUTC(), Duration.ofSeconds(10));
            restore.add(new AssignedPartitions.Partition(new PartitionRestorer(BACKUP, new PartitionPlan(partition,
                    partition, segments), prefetcher, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL, restore),
                    new SourceRecordConverter(BACKUP, partition, partition, TimeWindow.ALL, true),
                    OffsetTranslationLog.resume(BACKUP, partition, partition, null, -1), null));
            List<ProducerRecord<byte[], byte[]>> produced = new ArrayList<>();
            while (!restore.everythingRead()) {
                long start = THREADS.getCurrentThreadCpuTime();
                List<SourceRecord> batch = restore.nextBatch(new ArrayList<>());
                long polled = THREADS.getCurrentThreadCpuTime();
                produced.clear();
                for (SourceRecord record : batch) {
                    produced.add(toProducerRecord(record));
                }
                long converted = THREADS.getCurrentThreadCpuTime();
                for (SourceRecord record : batch) {
                    restore.acknowledged(record, new RecordMetadata(partition, targetOffset++, 0,
                            record.timestamp(), -1, -1));
                }
                long acknowledged = THREADS.getCurrentThreadCpuTime();
                ours += (polled - start) + (acknowledged - converted);
                connect += converted - polled;
                restored += batch.size();
                if (batch.isEmpty()) {
                    Thread.sleep(1); // waiting for the read-ahead
                }
            }
        } finally {
            prefetcher.close();
        }
        if (restored != records) {
            throw new IllegalStateException("restored " + restored + " records of " + records);
        }
        double gb = payloadBytes / 1e9;
        return new Round(ours / 1e9 / gb, connect / 1e9 / gb, (OS.getProcessCpuTime() - processStart) / 1e9 / gb);
    }

    /** What Connect's source task does with a record before its producer sends it (no transformations). */
    private ProducerRecord<byte[], byte[]> toProducerRecord(SourceRecord record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header.key(), converter.fromConnectHeader(record.topic(), header.key(), header.schema(),
                    header.value()));
        }
        byte[] key = converter.fromConnectData(record.topic(), headers, record.keySchema(), record.key());
        byte[] value = converter.fromConnectData(record.topic(), headers, record.valueSchema(), record.value());
        return new ProducerRecord<>(record.topic(), record.kafkaPartition(), record.timestamp(), key, value, headers);
    }

    /** CPU seconds per GB of payload of one round. */
    private record Round(double ours, double connect, double process) {

        @Override
        public String toString() {
            return String.format("CPU s/GB ours %.3f, Connect conversion %.3f, process %.3f", ours, connect,
                    process);
        }
    }
}
