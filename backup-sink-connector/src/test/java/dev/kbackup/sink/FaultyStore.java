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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A store that throws what it is told to (an {@link Error} too) from chosen calls, and otherwise delegates,
 * recording the puts it let through.
 */
final class FaultyStore extends ForwardingObjectStore {

    private volatile Predicate<String> uploadKeys = key -> false;
    private volatile int failingWrite;
    private volatile Supplier<Throwable> uploadFault;
    private volatile Predicate<String> putKeys = key -> false;
    private volatile Supplier<Throwable> putFault;
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

    void heal() {
        uploadKeys = key -> false;
        putKeys = key -> false;
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        ObjectUpload upload = delegate.startUpload(key, mode);
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









    /** An upload whose n-th write throws, after which it behaves as its delegate. */
    private final class FailingUpload extends ObjectUpload {
        private final ObjectUpload delegate;
        private final Supplier<Throwable> fault;
        private int writesLeft;

        FailingUpload(ObjectUpload delegate, int nthWrite, Supplier<Throwable> fault) {
            this.delegate = delegate;
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
}
