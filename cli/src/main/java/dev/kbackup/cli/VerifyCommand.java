package dev.kbackup.cli;

import dev.kbackup.layout.BackupCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.ThreadLocalRandom;

/** {@code kbackup verify <backup.id> [--sample N%]}: exit 0 when the backup is intact, 1 when a problem is found. */
@Command(name = "verify", description = "Reads every segment (or a sample), checks every checksum, that offsets "
        + "continue from segment to segment except across recorded gaps, and that the catalog and the stored objects "
        + "agree. Encrypted segments are read with encryption.key / encryption.previous.keys of the config. Exit code "
        + "0: intact; 1: problems found (each named; a segment whose key is not configured is one, KEY_NEEDED, with "
        + "the key id it needs); 2: bad usage or unreachable storage.")
final class VerifyCommand extends BackupCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP_ID",
            description = "The backup (default: backup.id of the --config file).")
    String backupId;

    @Option(names = "--sample", paramLabel = "N%",
            description = "Read only N percent of the segments, chosen at random (the catalog is still checked "
                    + "whole), e.g. --sample 10%%.")
    String sample;

    @Option(names = "--seed", paramLabel = "SEED",
            description = "Seed of the --sample choice, to repeat a run (printed by each sampled run).")
    Long seed;

    enum ProgressMode { AUTO, BAR, LINES, NONE }

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, lines otherwise), bar, lines or none. Default: ${DEFAULT-VALUE}.")
    ProgressMode progress;

    @Override
    int run(BackupStore backups) {
        double percent = samplePercent();
        long chosenSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        String id = backups.backupId(backupId);
        BackupCatalog catalog = backups.existingCatalog(id);
        BackupVerifier.Progress shown = switch (progress) {
            case AUTO -> new VerifyProgress(err(), System.console() != null, clock);
            case BAR -> new VerifyProgress(err(), true, clock);
            case LINES -> new VerifyProgress(err(), false, clock);
            case NONE -> new SilentProgress();
        };
        BackupVerifier.Result result = new BackupVerifier(backups.store(), catalog, backups.encryptionKeys(), percent,
                chosenSeed, shown).verify();
        if (options.json()) {
            printJson(result);
        } else {
            print(result, chosenSeed);
        }
        return result.intact() ? 0 : 1;
    }

    private double samplePercent() {
        if (sample == null) {
            return 100;
        }
        String text = sample.trim().endsWith("%") ? sample.trim().substring(0, sample.trim().length() - 1) : sample;
        try {
            double percent = Double.parseDouble(text.trim());
            if (percent > 0 && percent <= 100) {
                return percent;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--sample '" + sample + "': write a percentage above 0 and at most 100, e.g. "
                + "--sample 10%");
    }

    private void print(BackupVerifier.Result result, long chosenSeed) {
        out().println("Backup " + result.backupId() + ": " + result.segmentsInCatalog() + " segments in the catalog, "
                + result.segmentsRead() + " read (" + Units.mib(result.bytesRead()) + ")"
                + (result.samplePercent() < 100 ? ", a " + result.samplePercent() + "% sample (--seed " + chosenSeed
                + ")" : ""));
        if (result.intact()) {
            out().println("OK: every segment read is intact and the catalog agrees with storage.");
            return;
        }
        out().println(result.problems().size() + " PROBLEM(S):");
        for (VerifyProblem problem : result.problems()) {
            out().println("  " + problem.describe());
        }
    }

    private static final class SilentProgress implements BackupVerifier.Progress {
        @Override
        public void planned(int segments, long bytes) {
        }

        @Override
        public void advanced(long bytes) {
        }

        @Override
        public void segmentDone() {
        }

        @Override
        public void finished() {
        }
    }
}
