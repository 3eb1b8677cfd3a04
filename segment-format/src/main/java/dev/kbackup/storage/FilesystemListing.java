package dev.kbackup.storage;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Lists keys under a directory tree in exact {@link String#compareTo} order of the full key, like S3, holding one
 * sorted directory listing per level of depth.
 *
 * <p>Why per-directory sorting gives the global order: within one directory, a file sorts by its name and a
 * subdirectory by its name plus '/', since every key below it starts with that. No entry's sort key can be a proper
 * prefix of a directory's (names hold no '/'), so comparing two entries' sort keys decides the order of every key
 * below them too. Symbolic links and hidden temporary files are skipped.
 */
final class FilesystemListing implements Iterator<ObjectInfo> {

    private record Entry(String sortKey, boolean directory, BasicFileAttributes attributes) {
    }

    private record Level(String keyPrefix, Path directory, Iterator<Entry> entries) {
    }

    private final FilesystemObjectStore store;
    private final String prefix;
    private final String startAfter;
    private final Deque<Level> levels = new ArrayDeque<>();
    private ObjectInfo next;

    FilesystemListing(FilesystemObjectStore store, Path root, String prefix, String startAfter) {
        this.store = store;
        this.prefix = prefix;
        this.startAfter = startAfter;
        String baseKey = prefix.substring(0, prefix.lastIndexOf('/') + 1); // the deepest directory of the prefix
        Path base = baseKey.isEmpty() ? root : root.resolve(baseKey);
        if (Files.isDirectory(base, NOFOLLOW_LINKS)) {
            levels.push(new Level(baseKey, base, sortedEntries(base, baseKey)));
        }
    }

    @Override
    public boolean hasNext() {
        while (next == null && !levels.isEmpty()) {
            Level level = levels.peek();
            if (!level.entries().hasNext()) {
                levels.pop();
                continue;
            }
            Entry entry = level.entries().next();
            String key = level.keyPrefix() + entry.sortKey();
            if (entry.directory()) {
                if (mayHoldMatches(key)) {
                    Path directory = level.directory().resolve(entry.sortKey().substring(0,
                            entry.sortKey().length() - 1));
                    levels.push(new Level(key, directory, sortedEntries(directory, key)));
                }
            } else if (key.startsWith(prefix) && (startAfter == null || key.compareTo(startAfter) > 0)) {
                next = store.info(key, entry.attributes());
            }
        }
        return next != null;
    }

    @Override
    public ObjectInfo next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ObjectInfo result = next;
        next = null;
        return result;
    }

    /** Whether keys starting with {@code directoryKey} (ends with '/') can match the prefix and follow startAfter. */
    private boolean mayHoldMatches(String directoryKey) {
        boolean matchesPrefix = directoryKey.startsWith(prefix) || prefix.startsWith(directoryKey);
        boolean allBeforeStart = startAfter != null && startAfter.compareTo(directoryKey) > 0
                && !startAfter.startsWith(directoryKey);
        return matchesPrefix && !allBeforeStart;
    }

    private Iterator<Entry> sortedEntries(Path directory, String directoryKey) {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (FilesystemObjectStore.isTemporaryName(name)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(child, BasicFileAttributes.class, NOFOLLOW_LINKS);
                } catch (NoSuchFileException deletedMeanwhile) {
                    continue;
                }
                if (attributes.isDirectory()) {
                    entries.add(new Entry(name + "/", true, attributes));
                } else if (attributes.isRegularFile()) {
                    entries.add(new Entry(name, false, attributes));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException deletedMeanwhile) {
            return List.<Entry>of().iterator();
        } catch (IOException e) {
            throw store.failure("list", directoryKey.isEmpty() ? "/" : directoryKey, e);
        }
        entries.sort(Comparator.comparing(Entry::sortKey));
        return entries.iterator();
    }
}
