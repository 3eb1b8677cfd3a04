package dev.kbackup.storage;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} on a directory tree: a key is a relative path below the root. Writes go to a hidden
 * temporary file in the target directory that is fsynced and then linked (create-only) or renamed (overwrite) into
 * place, so readers see whole objects only. Keys that could leave the root are refused.
 */
public final class FilesystemObjectStore implements ObjectStore {

    /** Temporary files are named {@code .kbackup-<uuid>.tmp}; names starting with '.' and ending '.tmp' are hidden. */
    static final String TEMP_PREFIX = ".kbackup-";
    static final String TEMP_SUFFIX = ".tmp";

    private static final Logger log = LoggerFactory.getLogger(FilesystemObjectStore.class);

    private final Path root;
    private final String description;
    private final CreateOnlyPublisher createOnly;

    public FilesystemObjectStore(StorageSettings settings) {
        this(settings.filesystemRoot());
    }

    public FilesystemObjectStore(Path root) {
        this(root, Files::createLink);
    }

    // for testing: a link primitive that fails the way a full disk or a filesystem without hard links does
    FilesystemObjectStore(Path root, CreateOnlyPublisher.HardLinks hardLinks) {
        String where = root.toUri().toString();
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new StorageException("Cannot create or open the backup root directory " + where + ": " + e
                    + "; create it and make it writable by the Connect worker's user, or correct "
                    + StorageConfigKeys.FILESYSTEM_PATH, e, !(e instanceof AccessDeniedException
                    || e instanceof FileAlreadyExistsException));
        }
        this.description = this.root.toUri().toString();
        this.createOnly = new CreateOnlyPublisher(description, hardLinks);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        return new FilesystemUpload(this, key, resolve(key), mode);
    }

    @Override
    public void put(String key, byte[] bytes, WriteMode mode) {
        try (FilesystemUpload upload = new FilesystemUpload(this, key, resolve(key), mode)) {
            upload.write(bytes, 0, bytes.length);
            upload.complete();
        }
    }

    @Override
    public InputStream read(String key) {
        Path path = resolve(key);
        try {
            if (Files.isDirectory(path)) {
                throw new ObjectNotFoundException(description, key);
            }
            return Files.newInputStream(path);
        } catch (IOException e) {
            throw missingOrFailure("read", key, e);
        }
    }

    @Override
    public InputStream readRange(String key, long start, long endExclusive) {
        if (start < 0 || endExclusive < start) {
            throw new IllegalArgumentException("Invalid range [" + start + ", " + endExclusive + ") of " + key);
        }
        Path path = resolve(key);
        if (start == endExclusive) {
            return InputStream.nullInputStream();
        }
        FileChannel channel = null;
        try {
            if (Files.isDirectory(path)) {
                throw new ObjectNotFoundException(description, key);
            }
            channel = FileChannel.open(path, StandardOpenOption.READ);
            long size = channel.size();
            if (start >= size) {
                channel.close();
                throw new StorageException("Reading bytes " + start + "-" + (endExclusive - 1) + " of '" + key
                        + "' in " + description + " failed: the range starts at or after the end of the object ("
                        + size + " bytes)", null, false);
            }
            return new FileRangeStream(channel, start, Math.min(endExclusive, size));
        } catch (IOException e) {
            closeQuietly(channel);
            throw missingOrFailure("read", key, e);
        }
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        Path path = resolve(key);
        try {
            if (Files.isDirectory(path)) {
                return Optional.empty();
            }
            return Optional.of(Files.readAllBytes(path));
        } catch (IOException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw failure("read", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path path = resolve(key);
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.isRegularFile() ? Optional.of(info(key, attributes)) : Optional.empty();
        } catch (IOException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw failure("stat", key, e);
        }
    }

    @Override
    public List<String> listFolders(String prefix) {
        String folder = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (!folder.isEmpty()) { // "" is the store's root: its folders are the backups
            invalidKeyReason(folder).ifPresent(reason -> {
                throw new StorageException("Cannot list folders of '" + prefix + "' in " + description + ": "
                        + reason, null, false);
            });
        }
        Path directory = folder.isEmpty() ? root : root.resolve(folder);
        if (!Files.isDirectory(directory, NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(directory)) {
            return children.filter(child -> Files.isDirectory(child, NOFOLLOW_LINKS))
                    .map(child -> child.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw failure("list folders of", prefix, e);
        }
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix, String startAfter) {
        String keyPrefix = prefix == null ? "" : prefix;
        if (!keyPrefix.isEmpty()) {
            String withoutTrailingSlash = keyPrefix.endsWith("/")
                    ? keyPrefix.substring(0, keyPrefix.length() - 1) : keyPrefix;
            invalidKeyReason(withoutTrailingSlash).ifPresent(reason -> {
                throw new StorageException("Cannot list prefix '" + keyPrefix + "' in " + description + ": "
                        + reason, null, false);
            });
        }
        return new FilesystemListing(this, root, keyPrefix, startAfter);
    }

    @Override
    public void delete(String key) {
        Path path = resolve(key);
        try {
            if (!Files.isDirectory(path, NOFOLLOW_LINKS)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            if (!isMissing(e)) {
                throw failure("delete", key, e);
            }
        }
    }

    @Override
    public void close() {
        // nothing held open
    }

    // ---- used by FilesystemUpload and FilesystemListing ----

    /** The path of a key below the root, or a non-retriable StorageException naming the key and the root. */
    Path resolve(String key) {
        Optional<String> reason = invalidKeyReason(key);
        if (reason.isEmpty()) {
            try {
                Path path = root.resolve(key).normalize();
                if (path.startsWith(root) && !path.equals(root)) {
                    return path;
                }
                reason = Optional.of("it resolves outside the root directory");
            } catch (InvalidPathException e) {
                reason = Optional.of("it is not a valid path here (" + e.getReason() + ")");
            }
        }
        throw new StorageException("Key '" + key + "' is not allowed in " + description + ": " + reason.get(), null,
                false);
    }

    /** Creates the directories of a new object; new directory entries are fsynced like the object itself. */
    void createDirectories(Path directory, String key) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path existing = directory;
        while (existing != null && !Files.exists(existing, NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw conflict(key, "an object exists where a directory of this key's path is needed");
        }
        for (Path created = directory; created != null && !created.equals(existing); created = created.getParent()) {
            syncDirectory(created.getParent());
        }
    }

    /** Makes a fully written, fsynced temporary file visible under the target path. */
    void publish(Path temp, Path target, String key, WriteMode mode) throws IOException {
        if (Files.isDirectory(target, NOFOLLOW_LINKS)) {
            throw conflict(key, "a directory with other objects below it has this name");
        }
        if (mode == WriteMode.OVERWRITE) {
            Files.move(temp, target, ATOMIC_MOVE, REPLACE_EXISTING);
        } else {
            createOnly.publish(temp, target, key);
        }
        syncDirectory(target.getParent());
    }

    ObjectInfo info(String key, BasicFileAttributes attributes) {
        long modifiedNanos = attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        Object fileKey = attributes.fileKey();
        String version = Long.toHexString(attributes.size()) + "-" + Long.toHexString(modifiedNanos)
                + (fileKey == null ? "" : "-" + Integer.toHexString(fileKey.hashCode()));
        return new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toMillis(), version);
    }

    StorageException failure(String operation, String key, IOException e) {
        String hint = "";
        boolean retriable = true;
        if (e instanceof AccessDeniedException) {
            hint = "; make sure the Connect worker's user may read and write " + description;
            retriable = false;
        } else if (String.valueOf(e.getMessage()).contains("No space left")) {
            hint = "; free space on the filesystem of " + description;
        } else if (String.valueOf(e.getMessage()).contains("Read-only file system")) {
            hint = "; " + description + " is on a read-only filesystem";
            retriable = false;
        }
        return new StorageException("Cannot " + operation + " '" + key + "' in " + description + ": " + e + hint, e,
                retriable);
    }

    static boolean isTemporaryName(String name) {
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // nothing more to do
            }
        }
    }

    private StorageException conflict(String key, String why) {
        return new StorageException("Cannot write '" + key + "' in " + description + ": " + why + "; a filesystem "
                + "store cannot hold both an object 'x' and objects below 'x/'", null, false);
    }

    private RuntimeException missingOrFailure(String operation, String key, IOException e) {
        return isMissing(e) ? new ObjectNotFoundException(description, key) : failure(operation, key, e);
    }

    private static boolean isMissing(IOException e) {
        // "Not a directory" (a path element is a file) means the key does not exist either
        return e instanceof NoSuchFileException || e instanceof NotDirectoryException
                || (e instanceof FileSystemException f && "Not a directory".equals(f.getReason()));
    }

    private static Optional<String> invalidKeyReason(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("it is empty");
        }
        if (key.startsWith("/")) {
            return Optional.of("it is absolute (starts with '/')");
        }
        if (key.indexOf('\\') >= 0) {
            return Optional.of("it contains a backslash");
        }
        if (key.indexOf('\0') >= 0) {
            return Optional.of("it contains a NUL character");
        }
        for (String element : key.split("/", -1)) {
            if (element.isEmpty()) {
                return Optional.of("it has an empty path element ('//' or a trailing '/')");
            }
            if (element.equals(".") || element.equals("..")) {
                return Optional.of("it has a '" + element + "' path element");
            }
            if (isTemporaryName(element)) {
                return Optional.of("names starting with '.' and ending with '" + TEMP_SUFFIX
                        + "' are reserved for temporary files");
            }
        }
        return Optional.empty();
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some platforms and filesystems cannot fsync a directory; the rename itself is still atomic
            log.debug("Could not fsync directory {}: {}", directory, e.toString());
        }
    }
}
