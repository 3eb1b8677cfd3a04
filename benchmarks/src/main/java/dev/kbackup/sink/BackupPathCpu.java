package dev.kbackup.sink;

import dev.kbackup.bench.data.DataFile;
import dev.kbackup.bench.data.DataSet;
import dev.kbackup.bench.profile.CpuRounds;
import dev.kbackup.bench.profile.HarnessArgs;
import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockEncoder;
import dev.kbackup.format.SegmentFormat;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU the backup connector spends per GB on each record before compression (issue 14), without Kafka or storage,
 * so that a change to it can be measured before and after by thread CPU time. As Connect does, records arrive in
 * batches of {@value #BATCH} freshly made {@link SinkRecord}s (bytes with an optional bytes schema, headers
 * included, as ByteArrayConverter hands them to a sink): making them is not timed, but it leaves them in the
 * cache as a consumer's poll does. Each batch is converted with {@link SinkRecordConverter} and encoded into 1 MiB
 * blocks with {@link BlockEncoder}, as {@link PartitionWriter} does. Lives in the sink's package to reach the
 * package-private converter.
 *
 * <pre>java -cp ... dev.kbackup.sink.BackupPathCpu [json|binary] [MB=200] [rounds=10] [warm-up rounds=5]</pre>
 */
public final class BackupPathCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long SEED = 20_260_101;
    /** Connect's default {@code max.poll.records}: the records one {@code put} gets. */
    private static final int BATCH = 500;

    private final String topic;
    private final List<BackupRecord> records = new ArrayList<>();
    private long payloadBytes;

    private BackupPathCpu(DataSet dataSet, long megabytes) {
        this.topic = dataSet.topic();
        records.addAll(DataFile.generate(dataSet, SEED, megabytes * 1_000_000L));
        payloadBytes = records.stream().mapToLong(BackupRecord::payloadBytes).sum();
    }

    public static void main(String[] args) throws Exception {
        HarnessArgs parsed = HarnessArgs.parse(args, 10, 5);
        DataSet dataSet = parsed.dataSet();
        BackupPathCpu bench = new BackupPathCpu(dataSet, parsed.megabytes());
        System.out.printf("%s: %d records, %.1f MB payload%n", dataSet.id(), bench.records.size(),
                bench.payloadBytes / 1e6);
        List<Double> measured = CpuRounds.run(parsed, bench::round);
        System.out.printf("median CPU s/GB converting and encoding: %.3f%n",
                CpuRounds.median(measured, Double::doubleValue));
    }

    /** Converts and encodes every record once; returns the thread's CPU seconds per GB of payload. */
    private double round() {
        BlockEncoder encoder = new BlockEncoder(SegmentFormat.DEFAULT_BLOCK_BYTES);
        List<SinkRecord> batch = new ArrayList<>(BATCH);
        long blocks = 0;
        long cpu = 0;
        for (int first = 0; first < records.size(); first += BATCH) {
            batch.clear();
            for (BackupRecord record : records.subList(first, Math.min(records.size(), first + BATCH))) {
                batch.add(asDelivered(record));
            }
            long start = THREADS.getCurrentThreadCpuTime();
            for (SinkRecord record : batch) {
                encoder.append(SinkRecordConverter.toBackupRecord(record));
                if (encoder.sizeInBytes() >= SegmentFormat.DEFAULT_BLOCK_BYTES) {
                    encoder.recycle(encoder.seal().data()); // as the pipeline's spare buffers hand it back
                    blocks++;
                }
            }
            cpu += THREADS.getCurrentThreadCpuTime() - start;
        }
        if (blocks == 0) {
            throw new IllegalStateException("no block was sealed");
        }
        return cpu / 1e9 / (payloadBytes / 1e9);
    }

    /** The record as a sink gets it: new arrays, as a consumer's deserializer makes them. */
    private SinkRecord asDelivered(BackupRecord record) {
        ConnectHeaders headers = new ConnectHeaders();
        for (BackupHeader header : record.headers()) {
            headers.add(header.key(), header.value() == null ? null : header.value().clone(),
                    Schema.OPTIONAL_BYTES_SCHEMA);
        }
        byte[] key = record.key() == null ? null : record.key().clone();
        byte[] value = record.value() == null ? null : record.value().clone();
        return new SinkRecord(topic, 0, Schema.OPTIONAL_BYTES_SCHEMA, key, Schema.OPTIONAL_BYTES_SCHEMA, value,
                record.offset(), record.timestamp(), TimestampType.CREATE_TIME, headers);
    }
}
