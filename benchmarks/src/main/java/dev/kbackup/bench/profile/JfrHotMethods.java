package dev.kbackup.bench.profile;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a JFR recording (benchmarks/run.sh --jfr) spent its time: execution and native-method samples per thread group,
 * by top frame and by the first frame in our code ({@code dev.kbackup}); and the time threads spent blocked
 * (parked, waiting on a monitor, reading or writing a socket) by the first frame in our code.
 *
 * <pre>java -cp ... dev.kbackup.bench.profile.JfrHotMethods worker.jfr [top N] [from ISO-instant] [to ISO-instant]</pre>
 */
public final class JfrHotMethods {

    private JfrHotMethods() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Instant from = args.length > 2 ? Instant.parse(args[2]) : Instant.MIN;
        Instant to = args.length > 3 ? Instant.parse(args[3]) : Instant.MAX;
        Map<String, Long> blocked = new HashMap<>();
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> topFrames = new HashMap<>();
        Map<String, Long> ourFrames = new HashMap<>();
        long total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                continue;
            }
            if (BLOCKING.contains(type) && event.getThread() != null && event.getStackTrace() != null) {
                String thread = threadGroup(event.getThread().getJavaName());
                String where = event.getStackTrace().getFrames().stream()
                        .filter(f -> f.getMethod().getType().getName().startsWith("dev.kbackup"))
                        .findFirst().map(JfrHotMethods::name).orElse("(not in dev.kbackup)");
                blocked.merge(thread + " | " + type.substring(4) + " | " + where, event.getDuration().toMillis(),
                        Long::sum);
                continue;
            }
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            String thread = threadGroup(event.getThread("sampledThread") == null ? "?"
                    : event.getThread("sampledThread").getJavaName());
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            if (type.equals("jdk.NativeMethodSample") && isWaiting(frames.get(0))) {
                continue; // a thread parked in epoll, accept or poll uses no CPU
            }
            total++;
            byThread.merge(thread + (type.endsWith("NativeMethodSample") ? " (native)" : ""), 1L, Long::sum);
            topFrames.merge(thread + " | " + name(frames.get(0)), 1L, Long::sum);
            for (RecordedFrame frame : frames) {
                if (frame.getMethod().getType().getName().startsWith("dev.kbackup")) {
                    ourFrames.merge(thread + " | " + name(frame), 1L, Long::sum);
                    break;
                }
            }
        }
        System.out.println("samples: " + total);
        print("by thread", byThread, total, top);
        print("top frames", topFrames, total, top);
        print("first dev.kbackup frame", ourFrames, total, top);
        System.out.println();
        System.out.println("blocked (ms, events over the recording's threshold), by thread, event and first dev.kbackup frame");
        blocked.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf("  %8d  %s%n", e.getValue(), e.getKey()));
    }

    private static final java.util.Set<String> BLOCKING = java.util.Set.of("jdk.ThreadPark", "jdk.JavaMonitorWait",
            "jdk.JavaMonitorEnter", "jdk.SocketRead", "jdk.SocketWrite");

    private static boolean isWaiting(RecordedFrame top) {
        String type = top.getMethod().getType().getName();
        return type.startsWith("sun.nio.ch.") || type.startsWith("java.net.") || type.startsWith("sun.net.")
                || type.equals("java.lang.Object") || type.startsWith("jdk.internal.misc.Unsafe");
    }

    private static String threadGroup(String name) {
        return name.replaceAll("-\\d+$", "-N").replaceAll("\\d+", "N");
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + ":" + frame.getLineNumber();
    }

    private static void print(String title, Map<String, Long> counts, long total, int top) {
        System.out.println();
        System.out.println(title);
        for (Map.Entry<String, Long> e : counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .collect(Collectors.toList())) {
            System.out.printf("  %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / total, e.getValue(), e.getKey());
        }
    }
}
