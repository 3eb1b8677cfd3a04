package dev.kbackup.bench.profile;

import dev.kbackup.bench.data.DataSet;

/**
 * The positional arguments the CPU harnesses share: {@code [json|binary] [MB=200] [rounds] [warm-up rounds]}, each
 * optional from the right. A harness's own arguments follow them ({@link #extra}).
 */
public record HarnessArgs(DataSet dataSet, long megabytes, int rounds, int warmUp, String[] rest) {

    /** Parses {@code args} with the harness's default rounds and warm-up rounds. */
    public static HarnessArgs parse(String[] args, int defaultRounds, int defaultWarmUp) {
        return new HarnessArgs(DataSet.fromId(args.length > 0 ? args[0] : "json"),
                args.length > 1 ? Long.parseLong(args[1]) : 200,
                args.length > 2 ? Integer.parseInt(args[2]) : defaultRounds,
                args.length > 3 ? Integer.parseInt(args[3]) : defaultWarmUp,
                args.length > 4 ? java.util.Arrays.copyOfRange(args, 4, args.length) : new String[0]);
    }

    /** The harness's own argument at {@code index} after the shared ones, or {@code otherwise}. */
    public String extra(int index, String otherwise) {
        return index < rest.length ? rest[index] : otherwise;
    }
}
