package dev.kbackup.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntPredicate;

import org.junit.jupiter.api.Test;

/**
 * The decisions of {@link CompressionBackoff} over fixed sequences of blocks. In the expected strings each character
 * is one block: {@code C} compressed and stored compressed, {@code r} compressed but stored as it is (it did not
 * shrink enough), {@code -} stored as it is without trying (backing off).
 */
class CompressionBackoffTest {

    private static final int BLOCK = 1000;

    @Test
    void aBlockIsStoredCompressedOnlyIfItShrinksToNinetyFivePercentOrLess() {
        CompressionBackoff backoff = new CompressionBackoff();
        assertTrue(backoff.keepCompressed(950, 1000));
        assertFalse(backoff.keepCompressed(951, 1000));
        assertFalse(backoff.keepCompressed(1000, 1000));
        assertFalse(backoff.keepCompressed(1005, 1000), "codecs grow incompressible data a little");
        // 256 MiB blocks: the comparison must not overflow
        assertTrue(backoff.keepCompressed(SegmentFormat.MAX_BLOCK_BYTES / 100 * 95, SegmentFormat.MAX_BLOCK_BYTES));
        assertFalse(backoff.keepCompressed(SegmentFormat.MAX_BLOCK_BYTES, SegmentFormat.MAX_BLOCK_BYTES));
    }

    @Test
    void fourMissesInARowBackOffForSixtyFourBlocksThenOneBlockProbes() {
        // Blocks 0 and 4 compress; 1-3 and 5-8 do not; from 9 on everything compresses, but 9-72 are not tried.
        IntPredicate compressible = block -> block == 0 || block == 4 || block >= 9;
        String expected = "C" + "rrr" + "C" + "rrrr" + "-".repeat(64) + "C" + "CCC";
        assertEquals(expected, decisions(new CompressionBackoff(), compressible, expected.length()));
    }

    @Test
    void aFailedProbeBacksOffAgainAtOnceForTwiceAsLongUpToTheLimit() {
        // Nothing compresses for 100 blocks, then everything does.
        IntPredicate compressible = block -> block >= 100;
        String expected = "rrrr" + "-".repeat(64) + "r" + "-".repeat(31); // the probe at 68 fails: 128 blocks off
        assertEquals(expected, decisions(new CompressionBackoff(), compressible, expected.length()));

        String capped = "rr" + "---" + "r" + "------" + "r" + "----------" + "r" + "----------" + "r";
        assertEquals(capped, decisions(new CompressionBackoff(2, 3, 10), block -> false, capped.length()));
    }

    @Test
    void aProbeThatCompressesEndsTheBackOffAndTheNextRunStartsFromTheFirstBackOffAgain() {
        // Incompressible for 25 blocks (back-offs of 3, 6 and 12 blocks), compressible 25-34, incompressible again.
        IntPredicate compressible = block -> block >= 25 && block < 35;
        String expected = "rr" + "---" + "r" + "------" + "r" + "------------" // 0..24
                + "CCCCCCCCCC" // 25..34: the probe at 25 compresses, so every later block is tried
                + "rr" + "---" + "r"; // the next run backs off for 3 blocks again, not 24
        assertEquals(expected, decisions(new CompressionBackoff(2, 3, 100), compressible, expected.length()));
    }

    @Test
    void compressibleBlocksBetweenMissesResetTheCount() {
        // Three misses, one block that compresses, three misses: never four in a row, so every block is tried.
        IntPredicate compressible = block -> block % 4 == 3;
        String expected = "rrrC".repeat(50);
        assertEquals(expected, decisions(new CompressionBackoff(), compressible, expected.length()));
    }

    /** Runs {@code count} blocks, compressible ones shrinking to half and the others not at all. */
    private static String decisions(CompressionBackoff backoff, IntPredicate compressible, int count) {
        StringBuilder decisions = new StringBuilder();
        for (int block = 0; block < count; block++) {
            if (!backoff.tryCompress()) {
                decisions.append('-');
            } else {
                int compressedLength = compressible.test(block) ? BLOCK / 2 : BLOCK + 3;
                decisions.append(backoff.keepCompressed(compressedLength, BLOCK) ? 'C' : 'r');
            }
        }
        return decisions.toString();
    }
}
