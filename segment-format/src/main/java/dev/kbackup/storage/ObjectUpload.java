package dev.kbackup.storage;

import java.io.OutputStream;

/**
 * A streaming upload of one object. Write the bytes, then {@link #complete()} to make the object visible, or
 * {@link #abort()} to drop it. Closing without completing aborts. Not thread-safe.
 */
public abstract class ObjectUpload extends OutputStream {

    /** Bytes written so far. */
    public abstract long bytesWritten();

    /** Heap bytes this upload holds that are not yet sent (a part being filled); 0 for uploads that spool to disk. */
    public long bufferedBytes() {
        return 0;
    }

    /**
     * Makes the object visible with exactly the bytes written. With {@link WriteMode#CREATE_NEW} this throws
     * {@link ObjectExistsException} if another writer completed the same key first, and leaves that object as it is.
     */
    public abstract ObjectInfo complete();

    /** Drops what was written; the key is left as it was. Safe to call more than once. */
    public abstract void abort();

    /** Aborts unless {@link #complete()} succeeded. */
    @Override
    public abstract void close();
}
