package dev.kbackup.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** CPU time of a process from /proc (Linux), to show which process a phase kept busy. */
public final class ProcessCpu {

    /** Clock ticks per second of /proc/PID/stat; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** User plus system CPU seconds used so far by {@code pid}, or NaN where /proc is not readable. */
    public static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * CPU seconds used so far by each process of the benchmark stack, in report order: the Connect worker, the
     * broker, and this JVM (the driver and S3Proxy). NaN for a process whose /proc is not readable.
     */
    public static Map<String, Double> stackSeconds(long workerPid, long brokerPid) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("worker", seconds(workerPid));
        cpu.put("broker", seconds(brokerPid));
        cpu.put("driver+s3proxy", seconds(ProcessHandle.current().pid()));
        return cpu;
    }
}
