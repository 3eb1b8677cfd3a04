package dev.kbackup.storage;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final CircuitBreaker breaker = new CircuitBreaker(5, Duration.ofSeconds(10), now::get);

    @Test
    void opensAfterFiveConsecutiveFailuresAndRefusesCallsForTheRecoveryInterval() {
        for (int i = 0; i < 4; i++) {
            breaker.onFailure(new RuntimeException("503"));
            assertTrue(breaker.tryAcquire(), "still closed after " + (i + 1) + " failures");
        }
        breaker.onFailure(new RuntimeException("503"));
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
        now.addAndGet(9_999);
        assertFalse(breaker.tryAcquire());
        assertEquals(1, breaker.millisUntilProbe());
    }

    @Test
    void aSuccessfulProbeClosesItAndAFailedOneOpensItAgain() {
        for (int i = 0; i < 5; i++) {
            breaker.onFailure(new RuntimeException("503"));
        }
        now.addAndGet(10_000);
        assertTrue(breaker.tryAcquire(), "the probe goes through");
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(), "only one probe at a time");
        breaker.onFailure(new RuntimeException("still 503"));
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());

        now.addAndGet(10_000);
        assertTrue(breaker.tryAcquire());
        breaker.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertEquals(0, breaker.consecutiveFailures());
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void aSuccessInBetweenResetsTheCount() {
        for (int i = 0; i < 4; i++) {
            breaker.onFailure(new RuntimeException("503"));
        }
        breaker.onSuccess();
        for (int i = 0; i < 4; i++) {
            breaker.onFailure(new RuntimeException("503"));
        }
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    }
}
