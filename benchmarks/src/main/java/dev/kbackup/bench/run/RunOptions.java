package dev.kbackup.bench.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Command-line options of {@link BenchmarkRun}; see {@link #USAGE}. */
record RunOptions(boolean quick, long sizeMb, long scaleMb, int scalePartitions, long scaleBufferMb, int partitions,
                  int tasks, List<String> codecs, List<String> dataSets, Set<String> skip, Path work, Path out,
                  boolean jfr, boolean keep, List<String> workerOptions, boolean encryption) {

    static final String USAGE = String.join("\n",
            "Usage: benchmarks/run.sh [--quick] [--size-mb N] [options]",
            "  --quick               about 100 MB per data set, shorter JMH runs (a smoke run)",
            "  --size-mb N           payload MB per data set (default 1000; --quick 100)",
            "  --tasks N             tasks.max of every connector (default 1)",
            "  --codecs a,b          backup codecs (default zstd,lz4,none)",
            "  --data-sets a,b       json,binary (default both)",
            "  --scale-mb N          payload MB of the 1,000-partition run (default 200; --quick 50)",
            "  --scale-partitions N  partitions of the scale run (default 1000)",
            "  --scale-buffer-mb N   buffer.memory.bytes of the scale run, MiB (default 32)",
            "  --skip a,b            leave out parts: codec, backup, restore, scale",
            "  --work DIR            data, broker logs and S3 objects (default benchmarks/work)",
            "  --out FILE            results (default benchmarks/results/results.json)",
            "  --jfr                 record a JFR profile of each worker (worker.jfr in the work directory)",
            "  --keep                keep the run's topics and S3 objects (deleted at the end by default)",
            "  --encryption          also back up with zstd and client-side encryption, and restore that backup",
            "                        (the cost of encryption: compare CPU s/GB with the unencrypted zstd runs)",
            "  --worker-opts \"..\"    extra JVM options of the Connect workers, e.g. \"-XX:G1HeapRegionSize=4m\"");

    static RunOptions parse(String[] args) {
        boolean quick = List.of(args).contains("--quick");
        long sizeMb = quick ? 100 : 1000;
        long scaleMb = quick ? 50 : 200;
        int scalePartitions = 1000;
        long scaleBufferMb = 32;
        int tasks = 1;
        List<String> codecs = List.of("zstd", "lz4", "none");
        List<String> dataSets = List.of("json", "binary");
        Set<String> skip = Set.of();
        Path work = Path.of("benchmarks", "work");
        Path out = Path.of("benchmarks", "results", "results.json");
        boolean jfr = false;
        boolean keep = false;
        List<String> workerOptions = List.of();
        boolean encryption = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> { }
                case "--jfr" -> jfr = true;
                case "--keep" -> keep = true;
                case "--encryption" -> encryption = true;
                case "--worker-opts" -> workerOptions = List.of(value(args, ++i).trim().split("\\s+"));
                case "--size-mb" -> sizeMb = Long.parseLong(value(args, ++i));
                case "--tasks" -> tasks = Integer.parseInt(value(args, ++i));
                case "--codecs" -> codecs = List.of(value(args, ++i).split(","));
                case "--data-sets" -> dataSets = List.of(value(args, ++i).split(","));
                case "--scale-mb" -> scaleMb = Long.parseLong(value(args, ++i));
                case "--scale-partitions" -> scalePartitions = Integer.parseInt(value(args, ++i));
                case "--scale-buffer-mb" -> scaleBufferMb = Long.parseLong(value(args, ++i));
                case "--skip" -> skip = Set.of(value(args, ++i).split(","));
                case "--work" -> work = Path.of(value(args, ++i));
                case "--out" -> out = Path.of(value(args, ++i));
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("Unknown option " + args[i] + "\n" + USAGE);
            }
        }
        List<String> backupCodecs = new ArrayList<>(codecs);
        if (!backupCodecs.contains("zstd") && !skip.contains("restore")) {
            backupCodecs.add(0, "zstd"); // the restore reads the zstd backup
        }
        return new RunOptions(quick, sizeMb, scaleMb, scalePartitions, scaleBufferMb, 4, tasks,
                List.copyOf(backupCodecs), dataSets, skip, work, out, jfr, keep, workerOptions, encryption);
    }

    boolean runs(String part) {
        return !skip.contains(part);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("Option " + args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
