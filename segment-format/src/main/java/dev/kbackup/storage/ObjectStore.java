package dev.kbackup.storage;

import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The few object-storage operations both connectors need. Keys are '/'-separated paths relative to the store's
 * root (an S3 bucket or a filesystem directory) and never start with '/'.
 *
 * <p>Every method that can fail because of storage throws {@link StorageException} (unchecked), which names the
 * store and the key. Implementations are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {

    /** Where this store points, for messages and logs: {@code s3://bucket} or {@code file:///path}. Never secrets. */
    String describe();

    /**
     * Starts a streaming upload. Bytes written to the returned stream are sent while they are written (S3: one
     * multipart part at a time); the object becomes visible to readers only on {@link ObjectUpload#complete()},
     * and never if the upload is aborted or the process dies.
     */
    ObjectUpload startUpload(String key, WriteMode mode);

    /** Writes a small object in one request. */
    void put(String key, byte[] bytes, WriteMode mode);

    /** Reads a whole object as a stream (not buffered in memory). */
    InputStream read(String key);

    /** Reads bytes {@code [start, endExclusive)} of an object as a stream. */
    InputStream readRange(String key, long start, long endExclusive);

    /** Reads a small object fully, or empty if it does not exist. */
    Optional<byte[]> readIfExists(String key);

    /** Size and version of an object, or empty if it does not exist. */
    Optional<ObjectInfo> stat(String key);

    /**
     * Lists the objects whose keys start with {@code prefix} and sort after {@code startAfter} (null: from the
     * beginning), in lexicographic key order, fetching one page at a time as the iterator advances.
     */
    Iterator<ObjectInfo> list(String prefix, String startAfter);

    /**
     * The distinct next path elements below {@code prefix} (which ends with '/') that hold objects, sorted: for
     * {@code b1/topics/} the topic names. One request per page of folders, however many objects they hold.
     */
    List<String> listFolders(String prefix);

    /** Deletes an object; deleting a missing object is not an error. */
    void delete(String key);

    @Override
    void close();
}
