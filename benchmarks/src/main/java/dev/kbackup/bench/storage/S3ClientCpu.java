package dev.kbackup.bench.storage;

import dev.kbackup.bench.files.Directories;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.StorageConfigKeys;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.S3ProxyFixture;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * CPU the S3 client spends per GB: uploads segments of random bytes (as incompressible as compressed segments)
 * through {@code S3ObjectStore} in 64 KiB writes with 8 MiB parts, as the sink does, to S3Proxy in this JVM, then
 * reads them back whole. S3Proxy runs in the same process, so the figure counts only the client's threads (this
 * thread, which also reads, and the store's {@code kbackup-s3-part-upload-*} threads) by their thread CPU time;
 * S3Proxy's threads and the JVM's own (GC, JIT) are printed apart. A first round warms up and is not counted. Not
 * part of {@code mvn verify}; run with benchmarks/s3-client-cpu.sh.
 * <pre>
 * args: [total MiB per round=512] [segment MiB=64] [rounds=3] [S3Proxy dir=/dev/shm/kbackup-s3-client-cpu]
 * </pre>
 */
public final class S3ClientCpu {

    private static final int WRITE_BYTES = 64 * 1024;
    private static final int PART_BYTES = StorageConfigKeys.DEFAULT_PART_SIZE_BYTES;
    private static final String PART_UPLOAD_THREADS = "kbackup-s3-part-upload-";
    private static final double NANOS_PER_SECOND = 1e9;

    private S3ClientCpu() {
    }

    public static void main(String[] args) throws Exception {
        int totalMib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int segmentMib = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Path.of(args.length > 3 ? args[3] : "/dev/shm/kbackup-s3-client-cpu");
        Directories.deleteTree(dir);
        Files.createDirectories(dir);
        int segments = Math.max(1, totalMib / segmentMib);
        byte[] segment = new byte[segmentMib * 1024 * 1024];
        new Random(14).nextBytes(segment);
        double gb = (double) segments * segment.length / 1e9;
        System.out.printf("S3 client CPU: %d segments of %d MiB per round (%.3f GB), %d MiB parts, %d rounds after "
                + "a warm-up, S3Proxy over %s%n", segments, segmentMib, gb, PART_BYTES >> 20, rounds, dir);
        List<double[]> results = new ArrayList<>();
        try (S3ProxyFixture s3 = S3ProxyFixture.start(dir);
             ObjectStore store = ObjectStores.open(s3.storageSettings(
                     Map.of(StorageConfigKeys.S3_PART_SIZE_BYTES, Integer.toString(PART_BYTES))))) {
            for (int round = 0; round <= rounds; round++) {
                String prefix = "round-" + round + "/";
                Usage upload = Usage.during(() -> upload(store, prefix, segments, segment));
                Usage download = Usage.during(() -> download(store, prefix, segments, segment.length));
                for (int i = 0; i < segments; i++) {
                    store.delete(prefix + "segment-" + i);
                }
                String label = round == 0 ? "warm-up" : "round " + round;
                System.out.printf("%-8s upload: client %.3f s/GB, S3Proxy %.3f, rest %.3f | download: client %.3f "
                                + "s/GB, S3Proxy %.3f, rest %.3f%n", label, upload.client / gb, upload.server / gb,
                        upload.jvm / gb, download.client / gb, download.server / gb, download.jvm / gb);
                if (round > 0) {
                    results.add(new double[] {upload.client / gb, download.client / gb});
                }
            }
        }
        System.out.printf("median   client CPU s/GB: upload %.3f, download %.3f%n", median(results, 0),
                median(results, 1));
        Directories.deleteTree(dir);
        System.exit(0); // S3Proxy's threads are not all daemons
    }

    private static void upload(ObjectStore store, String prefix, int segments, byte[] segment) {
        for (int i = 0; i < segments; i++) {
            segment[0] = (byte) i; // each object different
            try (ObjectUpload upload = store.startUpload(prefix + "segment-" + i, WriteMode.CREATE_NEW)) {
                for (int offset = 0; offset < segment.length; offset += WRITE_BYTES) {
                    upload.write(segment, offset, Math.min(WRITE_BYTES, segment.length - offset));
                }
                upload.complete();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void download(ObjectStore store, String prefix, int segments, int segmentBytes) {
        byte[] buffer = new byte[WRITE_BYTES];
        for (int i = 0; i < segments; i++) {
            long read = 0;
            try (InputStream in = store.read(prefix + "segment-" + i)) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (read != segmentBytes) {
                throw new IllegalStateException("segment-" + i + " read back " + read + " of " + segmentBytes);
            }
        }
    }

    private static double median(List<double[]> rows, int column) {
        double[] values = rows.stream().mapToDouble(row -> row[column]).sorted().toArray();
        return values.length == 0 ? Double.NaN : values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /**
     * CPU seconds of one phase: the client's threads, the other Java threads (S3Proxy's), and the rest of the process
     * (GC, JIT, threads that ended during the phase).
     */
    private record Usage(double client, double server, double jvm) {

        static Usage during(Runnable phase) {
            long caller = Thread.currentThread().getId();
            Map<Long, Long> before = threadCpu();
            long processBefore = processCpu();
            phase.run();
            Map<Long, Long> after = threadCpu();
            long processAfter = processCpu();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long client = 0;
            long others = 0;
            for (Map.Entry<Long, Long> thread : after.entrySet()) {
                long used = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
                ThreadInfo info = threads.getThreadInfo(thread.getKey());
                boolean isClient = thread.getKey() == caller
                        || info != null && info.getThreadName().startsWith(PART_UPLOAD_THREADS);
                if (isClient) {
                    client += used;
                } else {
                    others += used;
                }
            }
            long jvm = processAfter - processBefore - client - others;
            return new Usage(client / NANOS_PER_SECOND, others / NANOS_PER_SECOND, jvm / NANOS_PER_SECOND);
        }

        private static Map<Long, Long> threadCpu() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Map<Long, Long> cpu = new HashMap<>();
            for (long id : threads.getAllThreadIds()) {
                long nanos = threads.getThreadCpuTime(id);
                if (nanos >= 0) {
                    cpu.put(id, nanos);
                }
            }
            return cpu;
        }

        private static long processCpu() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }
}
