package dev.kbackup.storage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Checks, for a connector's {@code validate()}, that the configured storage really accepts writes: it writes a tiny
 * object, reads and lists it, and deletes it again.
 */
public final class StorageProbe {

    static final String PROBE_NAME_PREFIX = "_kbackup-probe-";

    private StorageProbe() {
    }

    /**
     * Opens the store the settings describe and checks it like {@link #checkWritable(ObjectStore, String)}.
     *
     * @return empty if writable, else a message for the user (configuration problems come first)
     */
    public static Optional<String> checkWritable(StorageSettings settings, String keyPrefix) {
        List<ConfigProblem> problems = settings.problems();
        if (!problems.isEmpty()) {
            return Optional.of("Storage was not checked because of a configuration problem with "
                    + problems.get(0).name() + ": " + problems.get(0).message());
        }
        try (ObjectStore store = ObjectStores.open(settings)) {
            return checkWritable(store, keyPrefix);
        } catch (RuntimeException e) {
            return Optional.of("Cannot open the storage at " + settings.location() + ": " + e.getMessage());
        }
    }

    /**
     * Writes {@code keyPrefix + "_kbackup-probe-<uuid>"}, reads it back, lists it and deletes it.
     *
     * @param keyPrefix where the connector will write, e.g. "backups/cluster-a/" (empty: the store's top level)
     * @return empty if all of that worked, else a message naming the store, the step that failed and the fix
     */
    public static Optional<String> checkWritable(ObjectStore store, String keyPrefix) {
        String key = (keyPrefix == null ? "" : keyPrefix) + PROBE_NAME_PREFIX + UUID.randomUUID();
        byte[] content = ("kbackup storage check " + Instant.now()).getBytes(StandardCharsets.UTF_8);
        try {
            store.put(key, content, WriteMode.CREATE_NEW);
        } catch (RuntimeException e) {
            return Optional.of(explain(store, "write a test object '" + key + "'", e));
        }
        Optional<String> problem = Optional.empty();
        try {
            Optional<byte[]> readBack = store.readIfExists(key);
            if (readBack.isEmpty() || !Arrays.equals(readBack.get(), content)) {
                problem = Optional.of("Storage check of " + store.describe() + " failed: the test object '" + key
                        + "' was written but " + (readBack.isEmpty() ? "could not be found" : "read back different "
                        + "bytes") + " right after; the store does not return what was written");
            } else {
                store.list(key, null).hasNext(); // needs the list permission (s3:ListBucket) too
            }
        } catch (RuntimeException e) {
            problem = Optional.of(explain(store, "read back and list the test object '" + key + "'", e));
        }
        try {
            store.delete(key);
        } catch (RuntimeException e) {
            if (problem.isEmpty()) {
                problem = Optional.of(explain(store, "delete the test object '" + key + "' (delete it by hand)", e));
            }
        }
        return problem;
    }

    private static String explain(ObjectStore store, String step, RuntimeException e) {
        String retry = e instanceof StorageException storageFailure && storageFailure.isRetriable()
                ? " This looks temporary; try again." : "";
        return "Storage check of " + store.describe() + " failed: could not " + step + ". " + e.getMessage() + "."
                + retry;
    }
}
