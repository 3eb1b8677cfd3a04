package dev.kbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An {@link ObjectStore} behind a {@link CircuitBreaker}: calls are refused with
 * {@link StorageUnavailableException} while the breaker is open, and every outcome is reported to it. Only
 * retriable storage errors count as failures; a missing key or a taken name says nothing about the store's health.
 */
public final class GuardedObjectStore implements ObjectStore {

    private final ObjectStore delegate;
    private final CircuitBreaker breaker;

    public GuardedObjectStore(ObjectStore delegate, CircuitBreaker breaker) {
        this.delegate = delegate;
        this.breaker = breaker;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        // starting an upload may not reach the store yet: only what it sends later says whether the store is healthy
        return new GuardedUpload(callLazily(() -> delegate.startUpload(key, mode)));
    }

    @Override
    public void put(String key, byte[] bytes, WriteMode mode) {
        call(() -> {
            delegate.put(key, bytes, mode);
            return null;
        });
    }

    @Override
    public InputStream read(String key) {
        return call(() -> delegate.read(key));
    }

    @Override
    public InputStream readRange(String key, long start, long endExclusive) {
        return call(() -> delegate.readRange(key, start, endExclusive));
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        return call(() -> delegate.readIfExists(key));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return call(() -> delegate.stat(key));
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix, String startAfter) {
        // the first page is fetched by hasNext: counting the iterator's creation as a success would reset the count
        Iterator<ObjectInfo> pages = callLazily(() -> delegate.list(prefix, startAfter));
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return observe(pages::hasNext);
            }

            @Override
            public ObjectInfo next() {
                return observe(pages::next);
            }
        };
    }

    @Override
    public List<String> listFolders(String prefix) {
        return call(() -> delegate.listFolders(prefix));
    }

    @Override
    public void delete(String key) {
        call(() -> {
            delegate.delete(key);
            return null;
        });
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> T call(Supplier<T> operation) {
        acquire();
        return observe(operation);
    }

    private void acquire() {
        if (!breaker.tryAcquire()) {
            throw new StorageUnavailableException("Storage " + delegate.describe() + " is not being called after "
                    + breaker.consecutiveFailures() + " consecutive failures; the next attempt is in "
                    + breaker.millisUntilProbe() + " ms. Last failure: " + describe(breaker.lastFailure()),
                    breaker.lastFailure());
        }
    }

    /** As {@link #call}, for an operation that may not reach the store: only its failures are counted. */
    private <T> T callLazily(Supplier<T> operation) {
        acquire();
        try {
            return operation.get();
        } catch (RuntimeException e) {
            if (isStoreFailure(e)) {
                breaker.onFailure(e);
            }
            throw e;
        }
    }

    private <T> T observe(Supplier<T> operation) {
        try {
            T result = operation.get();
            breaker.onSuccess();
            return result;
        } catch (RuntimeException e) {
            if (isStoreFailure(e)) {
                breaker.onFailure(e);
            } else {
                breaker.onSuccess();
            }
            throw e;
        }
    }

    /** Reports only failures: a write that merely fills a buffer says nothing about the store's health. */
    private void observeFailures(Runnable operation) {
        try {
            operation.run();
        } catch (RuntimeException e) {
            if (isStoreFailure(e)) {
                breaker.onFailure(e);
            }
            throw e;
        }
    }

    /** A non-retriable storage error (a missing object, access denied) is an answer from a healthy store. */
    private static boolean isStoreFailure(RuntimeException e) {
        return !(e instanceof StorageException storage) || storage.isRetriable();
    }

    private static String describe(Throwable failure) {
        return failure == null ? "none" : failure.getMessage();
    }

    /** Reports the upload's part writes and its completion to the breaker. */
    private final class GuardedUpload extends ObjectUpload {
        private final ObjectUpload upload;

        GuardedUpload(ObjectUpload upload) {
            this.upload = upload;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            observeFailures(() -> {
                try {
                    upload.write(bytes, offset, length);
                } catch (IOException e) {
                    throw new StorageException("Write to " + delegate.describe() + " failed", e);
                }
            });
        }

        @Override
        public long bytesWritten() {
            return upload.bytesWritten();
        }

        @Override
        public long bufferedBytes() {
            return upload.bufferedBytes();
        }

        @Override
        public ObjectInfo complete() {
            return observe(upload::complete);
        }

        @Override
        public void abort() {
            upload.abort();
        }

        @Override
        public void close() {
            upload.close();
        }
    }
}
