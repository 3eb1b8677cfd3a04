package dev.kbackup.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by a test, with its output in a log file. Stopped by its own pid: SIGTERM, then SIGKILL if it has
 * not exited in time. A shutdown hook kills whatever a test run leaves behind.
 */
public final class JavaProcess implements AutoCloseable {

    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly),
                "kill-test-processes"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} in a new JVM and returns at once; output goes to {@code log}. */
    public static JavaProcess start(String name, String classpath, List<String> jvmOptions, String mainClass,
                             List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        STARTED.add(process);
        return new JavaProcess(name, process, log);
    }

    /** Runs {@code mainClass} to completion and fails with its output unless it exits with 0. */
    public static void run(String name, String classpath, List<String> jvmOptions, String mainClass, List<String> args,
                    Path log, Duration timeout) throws IOException, InterruptedException {
        try (JavaProcess process = start(name, classpath, jvmOptions, mainClass, args, log)) {
            if (!process.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not finish in " + timeout + ":\n" + process.logTail());
            }
            if (process.process.exitValue() != 0) {
                throw new AssertionError(name + " failed with exit code " + process.process.exitValue() + ":\n"
                        + process.logTail());
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Fails with the log's location if the process has died. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " (pid " + pid() + ") exited with " + process.exitValue()
                    + "; see " + log);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last 60 lines of the process's output, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return name + " (pid " + pid() + ", log " + log + "):\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return name + ": could not read " + log + ": " + e.getMessage();
        }
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM killer would, and waits for it to be gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            STARTED.remove(process);
        }
    }

    /** Freezes the process (SIGSTOP), as a long GC pause or a stalled VM would: it does nothing until resumed. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a paused process go on (SIGCONT) exactly where it stopped. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("Could not send SIG" + name + " to " + this.name + " (pid "
                        + process.pid() + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run kill -" + name + " for " + this.name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while signalling " + this.name, e);
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                signal("CONT"); // a paused JVM would not act on SIGTERM
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            STARTED.remove(process);
        }
    }
}
