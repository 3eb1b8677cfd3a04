package dev.kbackup.restore;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThrottleTest {

    @Test
    void unlimitedNeverWaits() {
        Throttle throttle = Throttle.unlimited();
        throttle.consume(Long.MAX_VALUE / 2);
        assertEquals(0, throttle.waitNanos());
        assertEquals(Long.MAX_VALUE, throttle.batchBytes());
    }

    @Test
    void holdsTheRateOverALongRunOfUnevenBatches() {
        AtomicLong now = new AtomicLong();
        Throttle throttle = new Throttle(1_000_000, now::get);
        long taken = 0;
        int[] sizes = {3_000, 150_000, 70_000, 1, 400_000};
        for (int i = 0; now.get() < 60_000_000_000L; i++) {
            long wait = throttle.waitNanos();
            if (wait > 0) {
                now.addAndGet(wait);
                continue;
            }
            long batch = Math.min(sizes[i % sizes.length], Math.max(throttle.batchBytes(), 1));
            throttle.consume(batch);
            taken += batch;
            now.addAndGet(1_000_000);
        }
        double rate = taken / 60.0;
        assertTrue(Math.abs(rate - 1_000_000) < 10_000, "rate " + rate);
    }

    @Test
    void aBatchBiggerThanTheTokensLeftIsRepaidBeforeTheNextOne() {
        AtomicLong now = new AtomicLong();
        Throttle throttle = new Throttle(1_000, now::get);
        assertEquals(200, throttle.batchBytes());
        throttle.consume(1_200);
        assertEquals(1_000_000_001L, throttle.waitNanos());
        now.addAndGet(1_000_000_001L);
        assertEquals(0, throttle.waitNanos());
    }
}
