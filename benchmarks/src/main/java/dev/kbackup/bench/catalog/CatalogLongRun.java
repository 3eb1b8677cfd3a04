package dev.kbackup.bench.catalog;

import dev.kbackup.bench.files.Directories;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ForwardingObjectStore;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The long-run catalog benchmark (issue 11): a synthetic backup of {@code partitions} partitions of 5-second
 * segments, published every 30 seconds through the catalog's publication code (a piece per partition and sync, then
 * the owner's fold, as CatalogPublisher does) against the filesystem store, with figures at chosen days of history:
 * catalog bytes written per sync, sync latency, the entry point's size, heap used, and the time and catalog objects
 * read to plan a one-hour window. Not part of {@code mvn verify}; run with benchmarks/catalog-longrun.sh.
 * <pre>
 * args: [partitions=10] [days=90] [dir=/dev/shm/kbackup-catalog-bench] [report days=1,30,90]
 * </pre>
 */
public final class CatalogLongRun {

    private static final long SEGMENT_SECONDS = 5;
    private static final long SYNC_SECONDS = 30;
    private static final long RECORDS_PER_SEGMENT = 500;
    private static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final int PLANNED_HOURS = 21;

    private CatalogLongRun() {
    }

    public static void main(String[] args) throws IOException {
        int partitions = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 90;
        Path dir = Path.of(args.length > 2 ? args[2] : "/dev/shm/kbackup-catalog-bench");
        Set<Integer> reportDays = Set.copyOf(Arrays.stream((args.length > 3 ? args[3] : "1,30,90").split(","))
                .map(Integer::parseInt).toList());
        Directories.deleteTree(dir);
        Counting store = new Counting(new FilesystemObjectStore(dir));
        BackupLayout layout = new BackupLayout("longrun");
        BackupCatalog catalog = new BackupCatalog(store, layout);
        catalog.publishManifest(List.of(), SourceCluster.UNKNOWN, Instant.ofEpochMilli(START));

        long syncsPerDay = 86_400 / SYNC_SECONDS;
        long segmentsPerSync = SYNC_SECONDS / SEGMENT_SECONDS;
        System.out.printf("%d partitions x %d days of %d-second segments, a sync every %d s (%d segments per "
                + "partition per sync), filesystem store in %s%n", partitions, days, SEGMENT_SECONDS, SYNC_SECONDS,
                segmentsPerSync, dir);
        System.out.println("| day | entries | catalog bytes/sync (mean) | sync ms (mean / p99) | entry point bytes |"
                + " index/ objects | heap MB | plan 1 h: median ms / median CPU ms / mean objects read / LISTs / keys listed |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        long offset = 0;
        for (int day = 1; day <= days; day++) {
            long bytesBefore = store.bytesPut.get();
            long[] latencies = new long[(int) syncsPerDay];
            for (int sync = 0; sync < syncsPerDay; sync++) {
                long syncStart = START + ((day - 1) * syncsPerDay + sync) * SYNC_SECONDS * 1000;
                Instant now = Instant.ofEpochMilli(syncStart + SYNC_SECONDS * 1000);
                long started = System.nanoTime();
                for (int partition = 0; partition < partitions; partition++) {
                    List<SegmentInfo> completed = new ArrayList<>();
                    for (int i = 0; i < segmentsPerSync; i++) {
                        long first = offset + i * RECORDS_PER_SEGMENT;
                        long from = syncStart + i * SEGMENT_SECONDS * 1000;
                        completed.add(new SegmentInfo(layout.segmentKey("t", partition, first, Codec.ZSTD), "t",
                                partition, Codec.ZSTD, first, first + RECORDS_PER_SEGMENT - 1, RECORDS_PER_SEGMENT,
                                from, from + SEGMENT_SECONDS * 1000 - 1, 120_000, 480_000, first, 1, first));
                    }
                    catalog.publishIndex(new PartitionIndex("t", partition, now, completed), now);
                    catalog.checkpoint("t", partition, now);
                }
                latencies[sync] = System.nanoTime() - started;
                offset += segmentsPerSync * RECORDS_PER_SEGMENT;
            }
            if (reportDays.contains(day)) {
                report(day, catalog, store, layout, partitions, (store.bytesPut.get() - bytesBefore) / syncsPerDay,
                        latencies, offset / RECORDS_PER_SEGMENT * partitions);
            }
        }
        store.close();
        Directories.deleteTree(dir);
    }

    private static void report(int day, BackupCatalog catalog, Counting store, BackupLayout layout, int partitions,
                               long bytesPerSync, long[] latencies, long entries) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        double meanMs = Arrays.stream(latencies).average().orElse(0) / 1e6;
        double p99Ms = sorted[(int) (sorted.length * 0.99)] / 1e6;
        int entryPointBytes = Json.write(catalog.readManifest().orElseThrow()).length;
        long indexObjects = countKeys(store, layout.indexPrefix());
        System.gc();
        long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        // one-hour windows of one partition spread evenly over the history, each planned once to warm up, then
        // timed; the median time and the mean reads, since how many objects an hour touches depends on where it
        // falls against their boundaries, not on the history's length
        int partition = partitions / 2;
        List<TimeWindow> hours = new ArrayList<>();
        for (int i = 1; i <= PLANNED_HOURS; i++) {
            long start = START + (long) day * 86_400_000L * i / (PLANNED_HOURS + 1);
            hours.add(new TimeWindow(start, start + 3_600_000));
        }
        hours.forEach(hour -> catalog.readWindow("t", partition, hour));
        long reads = store.reads.get();
        long lists = store.lists.get();
        long keysListed = store.keysListed.get();
        double[] planMillis = new double[PLANNED_HOURS];
        double[] planCpuMillis = new double[PLANNED_HOURS];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long inWindow = 0;
        for (int i = 0; i < PLANNED_HOURS; i++) {
            TimeWindow hour = hours.get(i);
            long started = System.nanoTime();
            long cpuStarted = threads.getCurrentThreadCpuTime();
            PartitionIndex planned = catalog.readWindow("t", partition, hour);
            planCpuMillis[i] = (threads.getCurrentThreadCpuTime() - cpuStarted) / 1e6;
            planMillis[i] = (System.nanoTime() - started) / 1e6;
            inWindow += planned.segments().stream().filter(s -> hour.overlaps(s.minTimestamp(), s.maxTimestamp()))
                    .count();
        }
        Arrays.sort(planMillis);
        Arrays.sort(planCpuMillis);
        double planMs = planMillis[PLANNED_HOURS / 2];
        double planCpuMs = planCpuMillis[PLANNED_HOURS / 2];
        System.out.printf("| %d | %,d | %,d | %.1f / %.1f | %,d | %d | %d | %.1f / %.1f / %.1f / %.1f / %,.0f (%d segments "
                + "per hour) |%n", day, entries, bytesPerSync, meanMs, p99Ms, entryPointBytes, indexObjects, heapMb,
                planMs, planCpuMs, (store.reads.get() - reads) / (double) PLANNED_HOURS,
                (store.lists.get() - lists) / (double) PLANNED_HOURS,
                (store.keysListed.get() - keysListed) / (double) PLANNED_HOURS, inWindow / PLANNED_HOURS);
    }

    private static long countKeys(ObjectStore store, String prefix) {
        long[] count = {0};
        store.list(prefix, null).forEachRemaining(object -> count[0]++);
        return count[0];
    }

    /** Counts bytes put, objects read and listings started. */
    private static final class Counting extends ForwardingObjectStore {
        final AtomicLong bytesPut = new AtomicLong();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong lists = new AtomicLong();
        final AtomicLong keysListed = new AtomicLong();

        Counting(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public void put(String key, byte[] bytes, WriteMode mode) {
            bytesPut.addAndGet(bytes.length);
            delegate.put(key, bytes, mode);
        }

        @Override
        public InputStream read(String key) {
            reads.incrementAndGet();
            return delegate.read(key);
        }

        @Override
        public Optional<byte[]> readIfExists(String key) {
            reads.incrementAndGet();
            return delegate.readIfExists(key);
        }

        @Override
        public Iterator<ObjectInfo> list(String prefix, String startAfter) {
            lists.incrementAndGet();
            Iterator<ObjectInfo> listed = delegate.list(prefix, startAfter);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return listed.hasNext();
                }

                @Override
                public ObjectInfo next() {
                    keysListed.incrementAndGet();
                    return listed.next();
                }
            };
        }
    }
}
