package dev.kbackup.storage;

import dev.kbackup.memory.HeapCost;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A streaming upload to S3 with bounded memory. Bytes collect in a part buffer; when it is full and more bytes
 * arrive, the part is sent on a background thread while the next one fills, so at most two parts are in memory. An
 * object that fits in one part is sent with a single PutObject on {@link #complete()}; a multipart upload is started
 * only for larger ones, and aborted on {@link #abort()}, {@link #close()} or any failure.
 */
final class S3Upload extends StoreUpload {

    private static final Logger log = LoggerFactory.getLogger(S3Upload.class);
    /**
     * The first buffer's floor: it then doubles up to the part size, so a small object (a segment of a few
     * kilobytes, one of many open at once) holds what it needs rather than a fixed large buffer.
     */
    private static final int INITIAL_BUFFER_BYTES = 4 * 1024;

    private final S3ObjectStore store;
    private final WriteMode mode;
    private final int partSize;

    private byte[] buffer = new byte[0];
    private int filled;
    private byte[] spare; // buffer of the last part sent, reused for the next one
    private long written;
    private String uploadId; // null while everything fits in one part
    private final List<CompletedPart> parts = new ArrayList<>();
    private Future<CompletedPart> inFlight;
    private byte[] inFlightBuffer;

    S3Upload(S3ObjectStore store, String key, WriteMode mode, int partSize) {
        super(store, key);
        this.store = store;
        this.mode = mode;
        this.partSize = partSize;
    }

    @Override
    public void write(int b) {
        ensureOpen();
        if (filled == partSize) {
            sendFullPart();
        }
        ensureCapacity(filled + 1);
        buffer[filled++] = (byte) b;
        written++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureOpen();
        while (length > 0) {
            if (filled == partSize) {
                sendFullPart();
            }
            int n = Math.min(length, partSize - filled);
            ensureCapacity(filled + n);
            System.arraycopy(bytes, offset, buffer, filled, n);
            filled += n;
            offset += n;
            length -= n;
            written += n;
        }
    }

    @Override
    public long bytesWritten() {
        return written;
    }

    /** The heap the part buffers take: the one being filled, the one being sent and the spare, as G1 counts them. */
    @Override
    public long bufferedBytes() {
        return (buffer.length == 0 ? 0 : HeapCost.ofArray(buffer.length))
                + (inFlightBuffer == null ? 0 : HeapCost.ofArray(inFlightBuffer.length))
                + (spare == null ? 0 : HeapCost.ofArray(spare.length));
    }

    @Override
    ObjectInfo finish() {
        ObjectInfo completed;
        if (uploadId == null) {
            completed = store.putObject(key, buffer, filled, mode);
        } else {
            awaitInFlight();
            parts.add(store.uploadPart(key, uploadId, parts.size() + 1, buffer, filled));
            completed = store.completeMultipartUpload(key, uploadId, List.copyOf(parts), written, mode);
        }
        releaseBuffers();
        return completed;
    }

    @Override
    void discard() {
        if (inFlight != null) {
            try {
                awaitInFlight();
            } catch (RuntimeException ignored) {
                // the part is dropped with the whole upload
            }
        }
        if (uploadId != null) {
            try {
                store.abortMultipartUpload(key, uploadId);
            } catch (StorageException e) {
                log.warn("Could not abort multipart upload {} of '{}' in {}; its parts stay stored until an "
                                + "AbortIncompleteMultipartUpload lifecycle rule removes them: {}",
                        uploadId, key, store.describe(), e.getMessage());
            }
        }
        releaseBuffers();
    }

    /** Sends the full buffer as the next part (in the background) and switches to an empty buffer. */
    private void sendFullPart() {
        try {
            if (uploadId == null) {
                uploadId = store.createMultipartUpload(key);
            }
            awaitInFlight();
            String id = uploadId;
            int partNumber = parts.size() + 1;
            byte[] data = buffer;
            int length = filled;
            inFlightBuffer = data;
            inFlight = store.partUploads().submit(() -> store.uploadPart(key, id, partNumber, data, length));
            buffer = spare != null ? spare : new byte[partSize];
            spare = null;
            filled = 0;
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    private void awaitInFlight() {
        if (inFlight == null) {
            return;
        }
        try {
            parts.add(inFlight.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StorageException storageFailure) {
                throw storageFailure;
            }
            throw new StorageException("Uploading a part of '" + key + "' to " + store.describe() + " failed: "
                    + e.getCause(), e.getCause(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while uploading '" + key + "' to " + store.describe(), e, false);
        } finally {
            spare = inFlightBuffer;
            inFlightBuffer = null;
            inFlight = null;
        }
    }

    private void ensureCapacity(int needed) {
        if (needed > buffer.length) {
            int grown = Math.max(needed, Math.max(INITIAL_BUFFER_BYTES, buffer.length * 2));
            buffer = Arrays.copyOf(buffer, Math.min(partSize, grown));
        }
    }

    private void releaseBuffers() {
        buffer = new byte[0];
        spare = null;
        inFlightBuffer = null;
    }
}
