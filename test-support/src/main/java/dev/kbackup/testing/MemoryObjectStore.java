package dev.kbackup.testing;

import dev.kbackup.storage.ObjectExistsException;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectNotFoundException;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.StorageException;
import dev.kbackup.storage.WriteMode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** An object store in memory that counts what is read from it, for tests of how the restore reads. */
public final class MemoryObjectStore implements ObjectStore {

    private final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    public final AtomicLong bytesRead = new AtomicLong();
    public final AtomicLong rangeReads = new AtomicLong();
    public final AtomicLong wholeReads = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();

    /** Makes the next {@code count} ranged reads fail as a throttled or unavailable store would. */
    public void failNextRangeReads(int count) {
        failures.set(count);
    }

    public int failuresLeft() {
        return failures.get();
    }

    @Override
    public String describe() {
        return "memory://test";
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        return new ObjectUpload() {
            private boolean done;

            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                buffer.write(bytes, offset, length);
            }

            @Override
            public long bytesWritten() {
                return buffer.size();
            }

            @Override
            public ObjectInfo complete() {
                put(key, buffer.toByteArray(), mode);
                done = true;
                return new ObjectInfo(key, buffer.size(), System.currentTimeMillis(), "v");
            }

            @Override
            public void abort() {
                done = true;
            }

            @Override
            public void close() {
                done = true;
            }
        };
    }

    @Override
    public void put(String key, byte[] bytes, WriteMode mode) {
        if (mode == WriteMode.CREATE_NEW && objects.putIfAbsent(key, bytes.clone()) != null) {
            throw new ObjectExistsException(describe(), key);
        }
        objects.put(key, bytes.clone());
    }

    @Override
    public InputStream read(String key) {
        wholeReads.incrementAndGet();
        byte[] bytes = get(key);
        bytesRead.addAndGet(bytes.length);
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public InputStream readRange(String key, long start, long endExclusive) {
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new StorageException("503 SlowDown reading " + key + " from " + describe(), null, true);
        }
        rangeReads.incrementAndGet();
        byte[] bytes = get(key);
        int from = (int) Math.min(start, bytes.length);
        int to = (int) Math.min(endExclusive, bytes.length);
        bytesRead.addAndGet(to - from);
        return new ByteArrayInputStream(Arrays.copyOfRange(bytes, from, to));
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        return Optional.ofNullable(objects.get(key)).map(byte[]::clone);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return Optional.ofNullable(objects.get(key))
                .map(bytes -> new ObjectInfo(key, bytes.length, 0, Integer.toHexString(Arrays.hashCode(bytes))));
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix, String startAfter) {
        return objects.tailMap(startAfter == null ? prefix : startAfter, startAfter == null).entrySet().stream()
                .takeWhile(entry -> entry.getKey().startsWith(prefix) || entry.getKey().compareTo(prefix) < 0)
                .filter(entry -> entry.getKey().startsWith(prefix))
                .map(entry -> new ObjectInfo(entry.getKey(), entry.getValue().length, 0, "v"))
                .iterator();
    }

    @Override
    public List<String> listFolders(String prefix) {
        return objects.keySet().stream().filter(key -> key.startsWith(prefix))
                .map(key -> key.substring(prefix.length()))
                .filter(rest -> rest.indexOf('/') > 0)
                .map(rest -> rest.substring(0, rest.indexOf('/')))
                .distinct().sorted().toList();
    }

    @Override
    public void delete(String key) {
        objects.remove(key);
    }

    @Override
    public void close() {
    }

    public byte[] bytes(String key) {
        return get(key).clone();
    }

    public void replace(String key, byte[] bytes) {
        objects.put(key, bytes.clone());
    }

    private byte[] get(String key) {
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new ObjectNotFoundException(describe(), key);
        }
        return bytes;
    }
}
