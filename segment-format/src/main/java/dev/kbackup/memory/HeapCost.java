package dev.kbackup.memory;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * What a byte array really costs on the heap. G1 stores an array of half a region or more in whole regions of its
 * own, so a 1 MiB block buffer in a heap of 1 MiB regions takes 2 MiB: memory budgets must count that, not the
 * array's length.
 */
public final class HeapCost {

    private static final int ARRAY_HEADER_BYTES = 16;
    private static final long REGION_BYTES = g1RegionBytes();

    private HeapCost() {
    }

    /** Heap bytes an array of {@code length} bytes occupies. */
    public static long ofArray(long length) {
        long bytes = length + ARRAY_HEADER_BYTES;
        if (REGION_BYTES > 0 && bytes >= REGION_BYTES / 2) {
            return (bytes + REGION_BYTES - 1) / REGION_BYTES * REGION_BYTES;
        }
        return bytes;
    }

    /** The G1 region size of this JVM, or 0 if it runs another collector or cannot tell. */
    private static long g1RegionBytes() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null || !"true".equals(vm.getVMOption("UseG1GC").getValue())) {
                return 0;
            }
            return Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }
}
