package dev.kbackup.bench.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The rounds of a harness that measures one path's CPU by thread CPU time ({@code RestorePathCpu},
 * {@code BackupPathCpu}): warm-up rounds first, then measured ones, each printed as it ends; figures are the median
 * of the measured rounds.
 */
public final class CpuRounds {

    /** One round of a harness; returns what it measured. */
    public interface Round<R> {
        R run() throws Exception;
    }

    private CpuRounds() {
    }

    /** Runs the warm-up rounds and then the measured rounds {@code args} asks for; returns the latter. */
    public static <R> List<R> run(HarnessArgs args, Round<R> round) throws Exception {
        return run(args.warmUp(), args.rounds(), round);
    }

    /** Runs {@code warmUp} rounds and then {@code rounds} more; returns the latter. */
    public static <R> List<R> run(int warmUp, int rounds, Round<R> round) throws Exception {
        List<R> measured = new ArrayList<>();
        for (int i = 0; i < warmUp + rounds; i++) {
            R result = round.run();
            System.out.printf("%s round %d: %s%n", i < warmUp ? "warm-up" : "measured", i, result);
            if (i >= warmUp) {
                measured.add(result);
            }
        }
        return measured;
    }

    /** The median of {@code figure} over the measured rounds, NaN if there were none. */
    public static <R> double median(List<R> rounds, ToDoubleFunction<R> figure) {
        double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }
}
