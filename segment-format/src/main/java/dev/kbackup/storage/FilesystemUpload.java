package dev.kbackup.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.UUID;

/**
 * A streaming write of one object to a hidden temporary file next to its target, made visible by
 * {@link FilesystemObjectStore#publish} on {@link #complete()} and deleted on abort or failure.
 */
final class FilesystemUpload extends StoreUpload {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final FilesystemObjectStore store;
    private final Path target;
    private final Path temp;
    private final WriteMode mode;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private long written;

    FilesystemUpload(FilesystemObjectStore store, String key, Path target, WriteMode mode) {
        super(store, key);
        this.store = store;
        this.target = target;
        this.mode = mode;
        this.temp = target.resolveSibling(FilesystemObjectStore.TEMP_PREFIX + UUID.randomUUID()
                + FilesystemObjectStore.TEMP_SUFFIX);
        try {
            store.createDirectories(target.getParent(), key);
            this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw store.failure("start writing", key, e);
        }
    }

    @Override
    public void write(int b) {
        ensureOpen();
        if (!buffer.hasRemaining()) {
            flushBuffer();
        }
        buffer.put((byte) b);
        written++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureOpen();
        if (length >= buffer.capacity()) {
            flushBuffer();
            writeFully(ByteBuffer.wrap(bytes, offset, length));
        } else {
            if (length > buffer.remaining()) {
                flushBuffer();
            }
            buffer.put(bytes, offset, length);
        }
        written += length;
    }

    @Override
    public long bytesWritten() {
        return written;
    }

    @Override
    ObjectInfo finish() {
        try {
            flushBuffer();
            channel.force(true);
            channel.close();
            store.publish(temp, target, key, mode);
            return store.info(key, Files.readAttributes(target, BasicFileAttributes.class));
        } catch (IOException e) {
            throw store.failure("write", key, e);
        }
    }

    @Override
    void discard() {
        FilesystemObjectStore.closeQuietly(channel);
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // the hidden temporary file is never listed; nothing else refers to it
        }
    }

    private void flushBuffer() {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer bytes) {
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            abort();
            throw store.failure("write", key, e);
        }
    }
}
