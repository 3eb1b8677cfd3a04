package dev.kbackup.restore;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReaderSlotsTest {

    @Test
    void letsReadersInWhileTheLargestSeenStillFitsTheBudget() {
        assertTrue(ReaderSlots.admits(0, 0, 500, 100, 10), "a first reader always fits, however large");
        assertTrue(ReaderSlots.admits(2, 60, 40, 100, 10));
        assertFalse(ReaderSlots.admits(2, 61, 40, 100, 10));
        assertFalse(ReaderSlots.admits(3, 0, 1, 100, 3), "never more than maxOpen readers");
    }

    @Test
    void partitionsBeyondTheBudgetWaitInLineAndEnterInTurnAsOthersFinishASegment() {
        ReaderSlots<String> slots = new ReaderSlots<>(100, 1000, 64);

        assertTrue(slots.tryEnter("p0"), "the first reader enters even above the budget");
        assertFalse(slots.tryEnter("p1"), "the first reader still counts at the first estimate");
        slots.holding("p0", 30);
        assertFalse(slots.tryEnter("p2"), "p1 is first in line");
        assertTrue(slots.tryEnter("p1"));
        slots.holding("p1", 30);
        assertTrue(slots.tryEnter("p2"));
        slots.holding("p2", 30);
        assertFalse(slots.tryEnter("p3"), "90 held + 30 for the largest reader is over 100");
        assertFalse(slots.tryEnter("p4"));
        assertEquals(90, slots.heldBytes());
        assertEquals(List.of("p0", "p1", "p2", "p3", "p4"), slots.readingOrder(),
                "read ahead for the readers and as many next in line");

        slots.leave("p1");
        assertFalse(slots.tryEnter("p4"), "p3 waited first");
        assertTrue(slots.tryEnter("p3"));
        assertTrue(slots.isWaiting("p4"));
        slots.holding("p3", 30);

        slots.leave("p0");
        assertTrue(slots.tryEnter("p4"));
        assertFalse(slots.tryEnter("p0"), "a partition back from its segment waits at the end of the line");
        assertEquals(90, slots.heldBytes());
        assertEquals(3, slots.open());
    }

    @Test
    void theLargestReaderSeenSetsHowManyMoreFit() {
        ReaderSlots<String> slots = new ReaderSlots<>(100, 10, 64);
        assertTrue(slots.tryEnter("p0"));
        slots.holding("p0", 60);
        assertFalse(slots.tryEnter("p1"), "60 + 60 does not fit in 100, although the first estimate would");
        slots.holding("p0", 50);
        assertFalse(slots.tryEnter("p1"), "50 + the largest reader seen (60) does not fit");
        slots.holding("p0", 40);
        assertTrue(slots.tryEnter("p1"), "40 + 60 fits");
        slots.leave("p1");
        slots.leave("p0");
        assertTrue(slots.tryEnter("p1"));
        assertEquals(60, slots.heldBytes(), "a new reader counts at the largest seen until it reports");
        slots.leave("p1");
        ReaderSlots<String> small = new ReaderSlots<>(100, 1000, 64);
        assertTrue(small.tryEnter("p0"));
        assertEquals(100, small.heldBytes(), "a first reader is counted at most at the budget until it reports");
    }
}
