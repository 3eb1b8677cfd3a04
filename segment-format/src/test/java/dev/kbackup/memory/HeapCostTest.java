package dev.kbackup.memory;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapCostTest {

    @Test
    void smallArraysCostTheirLengthPlusAHeader() {
        assertEquals(16 + 1000, HeapCost.ofArray(1000));
    }

    @Test
    void anArrayOfHalfARegionOrMoreTakesWholeRegionsUnderG1() {
        boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(gc -> gc.getName().startsWith("G1"));
        long mib = 1024 * 1024;
        long oneMiBBlockPlusSlack = HeapCost.ofArray(mib + 64 * 1024);
        if (g1) {
            assertTrue(oneMiBBlockPlusSlack >= mib + 64 * 1024 && oneMiBBlockPlusSlack % mib == 0,
                    "a humongous array is counted in whole regions: " + oneMiBBlockPlusSlack);
        } else {
            assertEquals(mib + 64 * 1024 + 16, oneMiBBlockPlusSlack);
        }
    }
}
