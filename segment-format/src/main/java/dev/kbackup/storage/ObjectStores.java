package dev.kbackup.storage;

import java.util.List;

import org.apache.kafka.common.config.ConfigException;

/** Opens the {@link ObjectStore} that storage settings describe. */
public final class ObjectStores {

    private ObjectStores() {
    }

    /**
     * Opens the store; the caller closes it.
     *
     * @throws ConfigException  if the settings have {@link StorageSettings#problems() problems}
     * @throws StorageException if a filesystem root cannot be created
     */
    public static ObjectStore open(StorageSettings settings) {
        List<ConfigProblem> problems = settings.problems();
        if (!problems.isEmpty()) {
            ConfigProblem first = problems.get(0);
            throw new ConfigException("Invalid storage configuration (" + first.name() + "): " + first.message()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem(s))" : ""));
        }
        return switch (settings.type()) {
            case S3 -> new S3ObjectStore(settings);
            case FILESYSTEM -> new FilesystemObjectStore(settings);
        };
    }
}
