package dev.kbackup.layout;

import dev.kbackup.format.SegmentInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks, from a partition's unsettled entries, the next run of segments to merge and the offset below which
 * nothing can join a merge any more. Pure: decides from the entries alone.
 *
 * <p>A run is the first run of adjacent eligible segments (newest record older than the cutoff, smaller than the
 * target) in offset order, whose stored bytes fit the target and that does not start with a merged segment larger
 * than the rest together. That last rule keeps rewriting cheap: a merged segment is merged again only with at least
 * as many new bytes, so sizes double like a binary counter and a record is rewritten at most
 * log2(target / segment size) times.
 *
 * <p>What the scan passes over for a lasting reason (too large, a missing range, a run that would exceed the target)
 * stays unmergeable, so it is settled; it stops settling at the first segment still too young and at the start of
 * the run it returns or that may still grow with newer segments.
 */
final class CompactionScan {

    /** The run to merge (empty if none) and the offset below which every entry is settled. */
    record Result(List<SegmentInfo> run, long settledBelow) {
    }

    private final long cutoffTimestamp;
    private final long targetBytes;

    CompactionScan(long cutoffTimestamp, long targetBytes) {
        this.cutoffTimestamp = cutoffTimestamp;
        this.targetBytes = targetBytes;
    }

    /** Scans {@code entries} (those at or above {@code settledBelow}; any order, duplicates allowed). */
    Result scan(List<SegmentInfo> entries, long settledBelow) {
        List<SegmentInfo> sorted = entries.stream().filter(entry -> entry.firstOffset() >= settledBelow).distinct()
                .sorted(Comparator.comparingLong(SegmentInfo::firstOffset)).toList();
        long settled = -1;
        List<SegmentInfo> run = new ArrayList<>();
        long bytes = 0;
        for (SegmentInfo entry : sorted) {
            boolean young = entry.maxTimestamp() >= cutoffTimestamp;
            boolean eligible = !young && entry.sizeBytes() < targetBytes;
            boolean adjacent = !run.isEmpty() && follows(run.get(run.size() - 1), entry)
                    && bytes + entry.sizeBytes() <= targetBytes;
            if (eligible && adjacent) {
                run.add(entry);
                bytes += entry.sizeBytes();
                continue;
            }
            List<SegmentInfo> balanced = balanced(run);
            if (balanced.size() >= 2) {
                return new Result(balanced, settled >= 0 ? settled : run.get(0).firstOffset());
            }
            if (young && settled < 0) {
                // once old enough, this entry may extend the run it interrupted
                settled = run.isEmpty() ? entry.firstOffset() : run.get(0).firstOffset();
            }
            run.clear();
            bytes = 0;
            if (eligible) {
                run.add(entry);
                bytes = entry.sizeBytes();
            }
        }
        List<SegmentInfo> balanced = balanced(run);
        if (settled < 0) {
            // a trailing run may still grow with newer segments
            settled = !run.isEmpty() ? run.get(0).firstOffset()
                    : sorted.isEmpty() ? settledBelow : sorted.get(sorted.size() - 1).lastOffset() + 1;
        }
        return new Result(balanced.size() >= 2 ? balanced : List.of(), Math.max(settled, settledBelow));
    }

    /** {@code run} without its leading merged segments that are larger than everything after them together. */
    private static List<SegmentInfo> balanced(List<SegmentInfo> run) {
        int from = 0;
        long rest = run.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        while (from < run.size() - 1) {
            long first = run.get(from).sizeBytes();
            if (!BackupLayout.isMergedSegmentKey(run.get(from).key()) || first <= rest - first) {
                break;
            }
            rest -= first;
            from++;
        }
        return run.subList(from, run.size());
    }

    /** Whether {@code next} continues {@code previous} with nothing missing and no overlap. */
    private static boolean follows(SegmentInfo previous, SegmentInfo next) {
        return next.firstOffset() > previous.lastOffset() && next.coversFrom() <= previous.lastOffset() + 1;
    }
}
