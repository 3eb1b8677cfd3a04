package dev.kbackup.testing;

import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A store that runs several actors (threads) against a real store one operation at a time, in an order chosen by
 * a seeded random generator: every operation of an actor waits at a gate until every live actor is waiting too,
 * then one of them is let through. So a read can be delayed past another actor's writes, writes reach the store
 * in any order, and a seed always replays the same interleaving (the trace says which). Calls from threads that
 * are not actors pass straight through.
 */
public final class InterleavingStore implements ObjectStore {

    private static final long STALL_MILLIS = 30_000;

    private final ObjectStore delegate;
    private final Scheduler scheduler;
    private final Map<Thread, Integer> actors = new ConcurrentHashMap<>();
    private final List<Waiter> waiting = new ArrayList<>();
    private final List<String> trace = Collections.synchronizedList(new ArrayList<>());
    private int alive;
    private boolean busy;

    /** Chooses which waiting operation goes next. */
    public interface Scheduler {
        /**
         * @param waiting one operation per live actor, sorted by actor index
         * @return the index in {@code waiting} of the operation to let through
         */
        int pick(List<Pending> waiting);
    }

    /** An operation waiting at the gate: which actor and what it is about to do (e.g. {@code put b1/index/...}). */
    public record Pending(int actor, String operation) {
    }

    /** Interleaves in an order drawn from {@code seed}. */
    public InterleavingStore(ObjectStore delegate, long seed) {
        this(delegate, randomOrder(seed));
    }

    /** Interleaves in the order {@code scheduler} chooses, for a scripted scenario. */
    public InterleavingStore(ObjectStore delegate, Scheduler scheduler) {
        this.delegate = delegate;
        this.scheduler = scheduler;
    }

    private static Scheduler randomOrder(long seed) {
        Random random = new Random(seed);
        return waiting -> random.nextInt(waiting.size());
    }

    /** One operation waiting at the gate. */
    private static final class Waiter {
        final int actor;
        final String operation;
        boolean released;

        Waiter(int actor, String operation) {
            this.actor = actor;
            this.operation = operation;
        }
    }

    /**
     * Runs {@code bodies} as actors until all have finished, letting their store operations through one at a time
     * in seeded random order.
     *
     * @throws AssertionError if an actor failed or the actors stalled; the message holds the trace
     */
    public void run(List<Runnable> bodies) {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        synchronized (this) {
            alive = bodies.size();
        }
        for (int i = 0; i < bodies.size(); i++) {
            Runnable body = bodies.get(i);
            Thread thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    synchronized (this) {
                        alive--;
                        notifyAll();
                    }
                }
            }, "actor-" + i);
            actors.put(thread, i);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        schedule();
        for (Thread thread : threads) {
            try {
                thread.join(STALL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", e);
            }
            actors.remove(thread);
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("An actor failed after " + trace(), failures.get(0));
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }

    /** The operations let through so far, in order, one per line: actor index and what it did. */
    public String trace() {
        synchronized (trace) {
            return String.join("\n", trace);
        }
    }

    private synchronized void schedule() {
        long deadline = System.currentTimeMillis() + STALL_MILLIS;
        while (alive > 0) {
            if (!busy && waiting.size() == alive) {
                // Arrival order is up to the threads; pick by actor so that the seed alone decides.
                waiting.sort(Comparator.comparingInt(waiter -> waiter.actor));
                Waiter next = waiting.remove(scheduler.pick(waiting.stream()
                        .map(waiter -> new Pending(waiter.actor, waiter.operation)).toList()));
                trace.add(next.actor + " " + next.operation);
                next.released = true;
                busy = true;
                notifyAll();
                deadline = System.currentTimeMillis() + STALL_MILLIS;
                continue;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("Actors stalled (" + alive + " alive, " + waiting.size() + " waiting) after "
                        + trace());
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", e);
            }
        }
    }

    private <T> T step(String operation, Supplier<T> action) {
        Integer actor = actors.get(Thread.currentThread());
        if (actor == null) {
            return action.get();
        }
        Waiter me = new Waiter(actor, operation);
        synchronized (this) {
            waiting.add(me);
            notifyAll();
            while (!me.released) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted at the gate of " + operation, e);
                }
            }
        }
        try {
            return action.get();
        } finally {
            synchronized (this) {
                busy = false;
                notifyAll();
            }
        }
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        return step("startUpload " + key, () -> delegate.startUpload(key, mode));
    }

    @Override
    public void put(String key, byte[] bytes, WriteMode mode) {
        step("put " + key, () -> {
            delegate.put(key, bytes, mode);
            return null;
        });
    }

    @Override
    public InputStream read(String key) {
        return step("read " + key, () -> delegate.read(key));
    }

    @Override
    public InputStream readRange(String key, long start, long endExclusive) {
        return step("readRange " + key, () -> delegate.readRange(key, start, endExclusive));
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        return step("readIfExists " + key, () -> delegate.readIfExists(key));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return step("stat " + key, () -> delegate.stat(key));
    }

    /** The whole listing is taken in one step, as one consistent page. */
    @Override
    public Iterator<ObjectInfo> list(String prefix, String startAfter) {
        return step("list " + prefix, () -> {
            List<ObjectInfo> all = new ArrayList<>();
            delegate.list(prefix, startAfter).forEachRemaining(all::add);
            return all.iterator();
        });
    }

    @Override
    public List<String> listFolders(String prefix) {
        return step("listFolders " + prefix, () -> delegate.listFolders(prefix));
    }

    @Override
    public void delete(String key) {
        step("delete " + key, () -> {
            delegate.delete(key);
            return null;
        });
    }

    @Override
    public void close() {
        delegate.close();
    }
}
