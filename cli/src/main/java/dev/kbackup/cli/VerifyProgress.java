package dev.kbackup.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;

/**
 * Shows how far {@code verify} has read, on the error stream so that JSON on standard output stays clean: a bar
 * redrawn in place on a terminal (bytes and segments, rate, ETA), plain lines at most every few seconds otherwise.
 */
final class VerifyProgress implements BackupVerifier.Progress {

    private static final int BAR_WIDTH = 30;
    private static final long BAR_REDRAW_MS = 200;
    private static final long LINE_EVERY_MS = 5_000;

    private final PrintWriter err;
    private final boolean terminal;
    private final Clock clock;
    private long startMillis;
    private long lastShownMillis;
    private int segments;
    private long bytes;
    private int segmentsDone;
    private long bytesDone;

    VerifyProgress(PrintWriter err, boolean terminal, Clock clock) {
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
    }

    @Override
    public void planned(int segments, long bytes) {
        this.segments = segments;
        this.bytes = bytes;
        this.startMillis = clock.millis();
        this.lastShownMillis = startMillis;
        err.println("Reading " + segments + " segments, " + Units.mib(bytes));
        err.flush();
    }

    @Override
    public void advanced(long moreBytes) {
        bytesDone += moreBytes;
        show(false);
    }

    @Override
    public void segmentDone() {
        segmentsDone++;
        show(false);
    }

    @Override
    public void finished() {
        show(true);
        if (terminal) {
            err.println();
        }
        err.flush();
    }

    private void show(boolean last) {
        long now = clock.millis();
        if (!last && now - lastShownMillis < (terminal ? BAR_REDRAW_MS : LINE_EVERY_MS)) {
            return;
        }
        lastShownMillis = now;
        String status = line(now);
        if (terminal) {
            int filled = bytes == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * bytesDone / bytes);
            err.print("\r[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + status + "   ");
        } else {
            err.println(status);
        }
        err.flush();
    }

    /** "37% 12/30 segments, 120.50/300.00 MiB, 85.2 MiB/s, ETA 0:00:02" */
    String line(long now) {
        double seconds = Math.max(0.001, (now - startMillis) / 1000.0);
        double rate = bytesDone / seconds;
        long percent = bytes == 0 ? 100 : 100 * bytesDone / bytes;
        String eta = rate <= 0 ? "-" : Units.duration(Duration.ofMillis((long) ((bytes - bytesDone) / rate * 1000)));
        return percent + "% " + segmentsDone + "/" + segments + " segments, " + Units.mib(bytesDone).replace(" MiB", "")
                + "/" + Units.mib(bytes) + ", " + Units.mibPerSecond(rate) + ", ETA " + eta;
    }
}
