package dev.kbackup.testing;

import dev.kbackup.storage.ForwardingObjectStore;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;

import java.io.InputStream;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link ObjectStore} that counts the objects read and the listings made: what a reader costs. */
public final class CountingStore extends ForwardingObjectStore {
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger lists = new AtomicInteger();

    public CountingStore(ObjectStore delegate) {
        super(delegate);
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        reads.incrementAndGet();
        return delegate.readIfExists(key);
    }

    @Override
    public InputStream read(String key) {
        reads.incrementAndGet();
        return delegate.read(key);
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix, String startAfter) {
        lists.incrementAndGet();
        return delegate.list(prefix, startAfter);
    }
}
