package dev.kbackup.storage;

/** A read named a key that does not exist. */
public class ObjectNotFoundException extends StorageException {

    private final String key;

    public ObjectNotFoundException(String store, String key) {
        super("Object " + key + " does not exist in " + store, null, false);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
