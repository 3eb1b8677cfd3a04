package dev.kbackup.testing;

import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;

import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link ObjectStore} that counts the objects read and the listings made: what a reader costs. */
public final class CountingStore implements ObjectStore {
    private final ObjectStore delegate;
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger lists = new AtomicInteger();

    public CountingStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        reads.incrementAndGet();
        return delegate.readIfExists(key);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        return delegate.startUpload(key, mode);
    }

    @Override
    public void put(String key, byte[] bytes, WriteMode mode) {
        delegate.put(key, bytes, mode);
    }

    @Override
    public InputStream read(String key) {
        reads.incrementAndGet();
        return delegate.read(key);
    }

    @Override
    public InputStream readRange(String key, long start, long endExclusive) {
        return delegate.readRange(key, start, endExclusive);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix, String startAfter) {
        lists.incrementAndGet();
        return delegate.list(prefix, startAfter);
    }

    @Override
    public List<String> listFolders(String prefix) {
        return delegate.listFolders(prefix);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
