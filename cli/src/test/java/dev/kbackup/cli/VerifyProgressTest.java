package dev.kbackup.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifyProgressTest {

    private static final long MIB = 1024 * 1024;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void plainLinesComeAtMostEveryFiveSecondsWithRateAndEta() {
        StringWriter err = new StringWriter();
        VerifyProgress progress = new VerifyProgress(new PrintWriter(err), false, clock);
        progress.planned(4, 400 * MIB);
        now.addAndGet(2_000);
        progress.advanced(100 * MIB);
        progress.segmentDone();
        now.addAndGet(3_000);
        progress.advanced(100 * MIB);
        progress.segmentDone();
        now.addAndGet(5_000);
        progress.advanced(200 * MIB);
        progress.segmentDone();
        progress.segmentDone();
        progress.finished();
        assertEquals("""
                Reading 4 segments, 400.00 MiB
                50% 1/4 segments, 200.00/400.00 MiB, 40.0 MiB/s, ETA 0:00:05
                100% 2/4 segments, 400.00/400.00 MiB, 40.0 MiB/s, ETA 0:00:00
                100% 4/4 segments, 400.00/400.00 MiB, 40.0 MiB/s, ETA 0:00:00
                """, err.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aTerminalGetsOneBarRedrawnInPlace() {
        StringWriter err = new StringWriter();
        VerifyProgress progress = new VerifyProgress(new PrintWriter(err), true, clock);
        progress.planned(2, 100 * MIB);
        now.addAndGet(1_000);
        progress.advanced(50 * MIB);
        progress.segmentDone();
        now.addAndGet(1_000);
        progress.advanced(50 * MIB);
        progress.segmentDone();
        progress.finished();
        String shown = err.toString();
        assertTrue(shown.contains("\r[###############               ] 50% 0/2 segments, 50.00/100.00 MiB, 50.0 MiB/s, "
                + "ETA 0:00:01"), shown);
        assertTrue(shown.contains("\r[##############################] 100% 2/2 segments"), shown);
        assertTrue(shown.endsWith(System.lineSeparator()), "the bar's line is ended once at the end");
    }
}
