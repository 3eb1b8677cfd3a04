package dev.kbackup.storage;

import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * An {@link ObjectStore} that hands every call to another one: a wrapper (one that counts, delays or fails some
 * calls) overrides only what it changes.
 */
public abstract class ForwardingObjectStore implements ObjectStore {

    protected final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
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
        return delegate.read(key);
    }

    @Override
    public InputStream readRange(String key, long start, long endExclusive) {
        return delegate.readRange(key, start, endExclusive);
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        return delegate.readIfExists(key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix, String startAfter) {
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
