package dev.kbackup.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** CPU time of a process from /proc (Linux), to show which process a phase kept busy. */
public final class ProcessCpu {

    /** Clock ticks per second of /proc/PID/stat; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;
    /** The key of the worker's JIT compiler threads in {@link #stackSeconds}: part of "worker", not beside it. */
    public static final String WORKER_JIT = "worker JIT";

    private ProcessCpu() {
    }

    /** User plus system CPU seconds used so far by {@code pid}, or NaN where /proc is not readable. */
    public static double seconds(long pid) {
        try {
            return statSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * CPU seconds the JIT compiler threads of a HotSpot JVM ({@code C1 CompilerThread*}, {@code C2 CompilerThread*})
     * have used so far, or NaN where /proc is not readable. A compiler thread that exits takes its time with it, so
     * the JVM should run with {@code -XX:-UseDynamicNumberOfCompilerThreads}.
     */
    public static double jitSeconds(long pid) {
        double seconds = 0;
        try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path thread : threads.toList()) {
                try {
                    String stat = Files.readString(thread.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        seconds += statSeconds(stat);
                    }
                } catch (NoSuchFileException gone) {
                    // a thread that ended between the listing and the read
                }
            }
            return seconds;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double statSeconds(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds used so far by each process of the benchmark stack, in report order: the Connect worker, the
     * broker, and this JVM (the driver and S3Proxy); then the share of the worker's that its JIT compiler threads
     * used ({@link #WORKER_JIT}, already in "worker"). NaN for a process whose /proc is not readable.
     */
    public static Map<String, Double> stackSeconds(long workerPid, long brokerPid) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("worker", seconds(workerPid));
        cpu.put("broker", seconds(brokerPid));
        cpu.put("driver+s3proxy", seconds(ProcessHandle.current().pid()));
        cpu.put(WORKER_JIT, jitSeconds(workerPid));
        return cpu;
    }
}
