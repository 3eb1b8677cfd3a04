package dev.kbackup.cli;

import dev.kbackup.storage.StorageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

import java.io.PrintWriter;

/**
 * {@code kbackup}: the operator CLI. Exit codes: 0 done (verify: intact); 1 a problem with the backup (verify found
 * damage, or a catalog object cannot be read); 2 bad usage, an unusable config or unreachable storage. Every
 * failure comes with a message saying what and where.
 */
@Command(name = "kbackup", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, exitCodeOnInvalidInput = Kbackup.EXIT_USAGE,
        versionProvider = Kbackup.Version.class,
        description = "Answers questions about kbackup backups straight from storage, with the connectors' storage "
                + "settings and no Connect worker.",
        subcommands = {ListCommand.class, DescribeCommand.class, VerifyCommand.class, StatusCommand.class,
            PlanCommand.class, OffsetsCommand.class, AclsCommand.class, HelpCommand.class})
public final class Kbackup implements Runnable {

    static final int EXIT_PROBLEMS = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    /** Runs one command line, writing to {@code out} and {@code err}; returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new Kbackup());
        line.setOut(out);
        line.setErr(err);
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setExecutionExceptionHandler((e, failed, parsed) -> {
            failed.getErr().println("kbackup " + failed.getCommandName() + ": " + message(e));
            failed.getErr().flush();
            return e instanceof UsageException || e instanceof StorageException ? EXIT_USAGE : EXIT_PROBLEMS;
        });
        int code = line.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String message(Exception e) {
        if (e instanceof StorageException) {
            return "storage is unreachable or refused the request: " + e.getMessage() + ". Check the storage "
                    + "settings (endpoint, bucket, credentials, filesystem.path) and the network";
        }
        return e.getMessage();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a command: kbackup list|describe|verify|"
                + "status|plan|offsets|acls --config FILE (kbackup help COMMAND explains each)");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kbackup " + dev.kbackup.Version.get()};
        }
    }
}
