package dev.kbackup.sink;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs each piece of work at once on the submitting thread: the pipeline's work then happens at a known point of
 * the task's {@code put}. Like a pool thread, it lets nothing a job throws reach the submitter: a job that throws
 * is recorded in {@link #escaped}, as a pool would leave it to its dying thread.
 */
final class DirectExecutor extends AbstractExecutorService {

    final List<Throwable> escaped = new CopyOnWriteArrayList<>();
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        try {
            command.run();
        } catch (Throwable e) {
            escaped.add(e);
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
