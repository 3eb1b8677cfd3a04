package dev.kbackup.bench.cluster;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU of work done on the calling thread of this JVM (the driver): the process's CPU minus that of the threads
 * that were already running when the work started (S3Proxy's, the JMX client's). What remains is the calling
 * thread, every thread started during the work (a producer's I/O thread) and the JVM's own threads (GC, JIT), which
 * are not Java threads and so cannot be told apart. Meant for work that is the only thing this JVM does at the
 * time, such as the producer ceiling while S3Proxy is idle.
 */
public final class DriverCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final double processSeconds;
    private final Map<Long, Long> otherThreadNanos;

    private DriverCpu(double processSeconds, Map<Long, Long> otherThreadNanos) {
        this.processSeconds = processSeconds;
        this.otherThreadNanos = otherThreadNanos;
    }

    /** The process's CPU so far and that of every live thread but the calling one. */
    public static DriverCpu start() {
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        long self = Thread.currentThread().getId();
        Map<Long, Long> others = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long nanos = id == self ? -1 : THREADS.getThreadCpuTime(id);
            if (nanos >= 0) {
                others.put(id, nanos);
            }
        }
        return new DriverCpu(ProcessCpu.seconds(ProcessHandle.current().pid()), others);
    }

    /** The CPU used since {@link #start()}, split as the class comment says. */
    public Used used() {
        double process = ProcessCpu.seconds(ProcessHandle.current().pid()) - processSeconds;
        long others = 0;
        for (Map.Entry<Long, Long> thread : otherThreadNanos.entrySet()) {
            long nanos = THREADS.getThreadCpuTime(thread.getKey());
            if (nanos >= 0) { // a thread that ended since is left out: what it used is not known
                others += nanos - thread.getValue();
            }
        }
        return new Used(process, others / 1e9);
    }

    /**
     * @param processSeconds      the whole process (/proc, 10 ms ticks)
     * @param otherThreadsSeconds the threads that were running before the work started, except the calling one
     */
    public record Used(double processSeconds, double otherThreadsSeconds) {

        /** The work's own CPU: the process minus the threads that were there before it. */
        public double workSeconds() {
            return processSeconds - otherThreadsSeconds;
        }
    }
}
