package dev.kbackup.storage;

/** A {@link WriteMode#CREATE_NEW} write found the key already taken; the existing object was left unchanged. */
public class ObjectExistsException extends StorageException {

    private final String key;

    public ObjectExistsException(String store, String key) {
        super("Object " + key + " already exists in " + store + "; it was left unchanged", null, false);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
