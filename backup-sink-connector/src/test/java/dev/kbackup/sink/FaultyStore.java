package dev.kbackup.sink;

import dev.kbackup.storage.ForwardingObjectStore;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A store that throws what it is told to (an {@link Error} too) from chosen calls, or holds an upload's completion
 * until the test lets it go, and otherwise delegates, recording the puts it let through.
 */
final class FaultyStore extends ForwardingObjectStore {

    private volatile Predicate<String> uploadKeys = key -> false;
    private volatile int failingWrite;
    private volatile Supplier<Throwable> uploadFault;
    private volatile Predicate<String> putKeys = key -> false;
    private volatile Supplier<Throwable> putFault;
    private volatile Predicate<String> holdKeys = key -> false;
    private volatile Hold hold;
    /** Calls that threw an injected fault so far. */
    final AtomicInteger faultsThrown = new AtomicInteger();
    /** Every successful {@link #put}: its key and size, in order. */
    final List<Map.Entry<String, Integer>> puts = new CopyOnWriteArrayList<>();

    FaultyStore(ObjectStore delegate) {
        super(delegate);
    }

    /** The next upload of a key matching {@code keys} throws {@code fault} from its {@code nthWrite}-th write. */
    void failUploadOnce(Predicate<String> keys, int nthWrite, Supplier<Throwable> fault) {
        this.failingWrite = nthWrite;
        this.uploadFault = fault;
        this.uploadKeys = keys;
    }

    /** Every {@link #put} of a key matching {@code keys} throws {@code fault} until {@link #heal}. */
    void failPuts(Predicate<String> keys, Supplier<Throwable> fault) {
        this.putFault = fault;
        this.putKeys = keys;
    }

    /** The next upload of a key matching {@code keys} waits in {@code complete()} until {@code hold} is released. */
    void holdCompletionOnce(Predicate<String> keys, Hold hold) {
        this.hold = hold;
        this.holdKeys = keys;
    }

    void heal() {
        uploadKeys = key -> false;
        putKeys = key -> false;
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        ObjectUpload upload = delegate.startUpload(key, mode);
        if (holdKeys.test(key)) {
            holdKeys = k -> false;
            upload = new HeldUpload(upload, hold);
        }
        if (!uploadKeys.test(key)) {
            return upload;
        }
        uploadKeys = k -> false;
        return new FailingUpload(upload, failingWrite, uploadFault);
    }

    @Override
    public void put(String key, byte[] bytes, WriteMode mode) {
        if (putKeys.test(key)) {
            throwFault(putFault);
        }
        delegate.put(key, bytes, mode);
        puts.add(Map.entry(key, bytes.length));
    }

    private void throwFault(Supplier<Throwable> fault) {
        faultsThrown.incrementAndGet();
        Throwable failure = fault.get();
        if (failure instanceof Error error) {
            throw error;
        }
        throw (RuntimeException) failure;
    }

    @Override
    public String describe() {
        return "faulty " + delegate.describe();
    }









    /** A completion held back: {@code entered} opens when it starts waiting, {@code gate} when it may go on. */
    record Hold(CountDownLatch entered, CountDownLatch gate) {
        Hold() {
            this(new CountDownLatch(1), new CountDownLatch(1));
        }

        /** Waits until the held completion has started; false after 30 s. */
        boolean awaitEntered() throws InterruptedException {
            return entered.await(30, TimeUnit.SECONDS);
        }

        void release() {
            gate.countDown();
        }
    }

    /** An upload whose completion waits for its hold to be released. */
    private static final class HeldUpload extends ForwardingUpload {
        private final Hold hold;

        HeldUpload(ObjectUpload delegate, Hold hold) {
            super(delegate);
            this.hold = hold;
        }

        @Override
        public ObjectInfo complete() {
            hold.entered.countDown();
            try {
                if (!hold.gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test: the held completion was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("test: interrupted while held", e);
            }
            return super.complete();
        }
    }

    /** An upload that does what its delegate does. */
    private static class ForwardingUpload extends ObjectUpload {
        final ObjectUpload delegate;

        ForwardingUpload(ObjectUpload delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            delegate.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            delegate.write(bytes, offset, length);
        }

        @Override
        public long bytesWritten() {
            return delegate.bytesWritten();
        }

        @Override
        public long bufferedBytes() {
            return delegate.bufferedBytes();
        }

        @Override
        public ObjectInfo complete() {
            return delegate.complete();
        }

        @Override
        public void abort() {
            delegate.abort();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** An upload whose n-th write throws, after which it behaves as its delegate. */
    private final class FailingUpload extends ForwardingUpload {
        private final Supplier<Throwable> fault;
        private int writesLeft;

        FailingUpload(ObjectUpload delegate, int nthWrite, Supplier<Throwable> fault) {
            super(delegate);
            this.writesLeft = nthWrite;
            this.fault = fault;
        }

        @Override
        public void write(int b) throws IOException {
            countWrite();
            delegate.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            countWrite();
            delegate.write(bytes, offset, length);
        }

        private void countWrite() {
            if (--writesLeft == 0) {
                throwFault(fault);
            }
        }
    }
}
