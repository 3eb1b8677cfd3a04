package dev.kbackup.sink;

import dev.kbackup.bench.data.DataFile;
import dev.kbackup.bench.data.DataSet;
import dev.kbackup.bench.files.Directories;
import dev.kbackup.bench.profile.CpuRounds;
import dev.kbackup.bench.profile.HarnessArgs;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import org.apache.kafka.common.TopicPartition;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU of the whole process per GB that the sink's writers back up (issue 14): records handed to
 * {@link PartitionWriter}s as the task does, blocks compressed with zstd-3 on the pipeline's own thread into
 * segments of a filesystem store, with the default 256 MiB budget, waiting for the pipeline when it is exceeded as
 * the task does. Process CPU (every thread: the feeding thread, the pipeline, GC and JIT) counts what a change to
 * buffers or allocation does to the collector, which thread CPU time of one thread misses; no Kafka, Connect or S3
 * server shares the process, so rounds vary little. Lives in the sink's package to reach its package-private
 * classes.
 *
 * <pre>java -cp ... dev.kbackup.sink.BackupWriterCpu [json|binary] [MB=200] [rounds=8] [warm-up rounds=4] [dir]</pre>
 */
public final class BackupWriterCpu {

    private static final long SEED = 20_260_101;
    private static final int PARTITIONS = 4;
    private static final int BLOCK_BYTES = 1 << 20;
    private static final long BUDGET_BYTES = 256L << 20;
    private static final long SEGMENT_BYTES = 128L << 20;

    private final List<BackupRecord> records = new ArrayList<>();
    private final Path dir;
    private final DataSet dataSet;
    private long payloadBytes;
    private int round;

    private BackupWriterCpu(DataSet dataSet, long megabytes, Path dir) {
        this.dataSet = dataSet;
        this.dir = dir;
        records.addAll(DataFile.generate(dataSet, SEED, megabytes * 1_000_000L));
        payloadBytes = records.stream().mapToLong(BackupRecord::payloadBytes).sum();
    }

    public static void main(String[] args) throws Exception {
        HarnessArgs parsed = HarnessArgs.parse(args, 8, 4);
        DataSet dataSet = parsed.dataSet();
        Path dir = Path.of(parsed.extra(0, "/dev/shm/kbackup-writer-cpu"));
        BackupWriterCpu bench = new BackupWriterCpu(dataSet, parsed.megabytes(), dir);
        System.out.printf("%s: %d records, %.1f MB payload%n", dataSet.id(), bench.records.size(),
                bench.payloadBytes / 1e6);
        List<Figures> measured = CpuRounds.run(parsed, bench::round);
        System.out.printf("median process CPU s/GB: %.3f, GC collections per GB: %.1f, GC ms per GB: %.0f%n",
                CpuRounds.median(measured, Figures::cpuSecondsPerGb),
                CpuRounds.median(measured, Figures::collectionsPerGb),
                CpuRounds.median(measured, Figures::gcMillisPerGb));
        Directories.deleteTree(dir);
    }

    record Figures(double cpuSecondsPerGb, double collectionsPerGb, double gcMillisPerGb) {
        @Override
        public String toString() {
            return String.format("%.3f CPU s/GB, %.1f GCs/GB, %.0f GC ms/GB", cpuSecondsPerGb, collectionsPerGb,
                    gcMillisPerGb);
        }
    }

    /** Backs every record up once into a fresh backup; returns the process's figures per GB of payload. */
    private Figures round() throws Exception {
        Directories.deleteTree(dir);
        Files.createDirectories(dir);
        BackupLayout layout = new BackupLayout("writer-cpu-" + round++);
        PartitionWriters writers = new PartitionWriters();
        MemoryBudget budget = new MemoryBudget(BUDGET_BYTES);
        try (ObjectStore store = new FilesystemObjectStore(dir)) {
            PipelineEvents events = new PipelineEvents(writers, (segment, nanos) -> { });
            SegmentPipeline pipeline = new SegmentPipeline(store, new BackupCatalog(store, layout), Codec.ZSTD,
                    Codec.ZSTD_DEFAULT_LEVEL, BLOCK_BYTES, budget, events, "writer-cpu-pipeline");
            List<PartitionWriter> byPartition = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition partition = new TopicPartition(dataSet.topic(), p);
                PartitionWriter writer = new PartitionWriter(partition, -1, pipeline, layout, Codec.ZSTD,
                        BLOCK_BYTES, SEGMENT_BYTES, Long.MAX_VALUE / 2, budget);
                writers.put(partition, writer);
                byPartition.add(writer);
            }
            long cpu = processCpuNanos();
            long collections = collections();
            long gcMillis = gcMillis();
            for (int i = 0; i < records.size(); i++) {
                byPartition.get(i % PARTITIONS).accept(records.get(i), 0);
                if (budget.exceeded()) {
                    budget.awaitWithinLimit(60_000); // as the task waits for the pipeline
                }
            }
            writers.rollAll();
            if (!pipeline.awaitQueued(600_000)) {
                throw new IllegalStateException("the pipeline did not finish within 10 minutes");
            }
            double gigabytes = payloadBytes / 1e9;
            Figures figures = new Figures((processCpuNanos() - cpu) / 1e9 / gigabytes,
                    (collections() - collections) / gigabytes, (gcMillis() - gcMillis) / gigabytes);
            events.drainTo(event -> { });
            pipeline.close();
            return figures;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }
}
