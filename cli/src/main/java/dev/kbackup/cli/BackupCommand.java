package dev.kbackup.cli;

import dev.kbackup.layout.Json;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Callable;

/** What every subcommand shares: the storage options, the writers, the clock, and printing a report as JSON. */
abstract class BackupCommand implements Callable<Integer> {

    @Mixin
    StorageOptions options;

    @Spec
    CommandSpec spec;

    Clock clock = Clock.systemUTC();

    @Override
    public final Integer call() {
        try (BackupStore backups = options.open()) {
            return run(backups);
        }
    }

    abstract int run(BackupStore backups);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    void printJson(Object report) {
        out().println(new String(Json.write(report), StandardCharsets.UTF_8));
        out().flush();
    }
}
