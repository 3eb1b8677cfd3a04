package dev.kbackup.storage;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a finished temporary file of a {@link FilesystemObjectStore} under its name without ever replacing an
 * existing object; its own class because whether the filesystem has hard links is state that outlives one write.
 * <p>
 * It publishes with a hard link, which is atomic and refuses an existing target. A failure of the link that says
 * nothing about link support (a full disk, a quota, an I/O error) fails this write only; the next write links again.
 * Only a filesystem without hard links makes it fall back, for good, to a rename that refuses an existing target
 * (checked by the JDK right before the rename, so not atomic against a concurrent writer).
 */
final class CreateOnlyPublisher {

    private static final Logger log = LoggerFactory.getLogger(CreateOnlyPublisher.class);

    /**
     * Why link(2) fails on a filesystem that has no hard links (EPERM on FAT and some network filesystems, EOPNOTSUPP,
     * ENOSYS on some FUSE ones), as the JDK reports them; any other failure says nothing about link support.
     */
    private static final Set<String> NO_HARD_LINKS = Set.of("Operation not permitted", "Operation not supported",
            "Function not implemented");

    /** Creates {@code link} as another name of {@code existing}, failing if {@code link} exists: link(2). */
    @FunctionalInterface
    interface HardLinks {
        void create(Path link, Path existing) throws IOException;
    }

    private final String description;
    private final HardLinks hardLinks;
    private volatile boolean hardLinksSupported = true;

    /** {@code description} names the store in errors and warnings. */
    CreateOnlyPublisher(String description, HardLinks hardLinks) {
        this.description = description;
        this.hardLinks = hardLinks;
    }

    /** Moves {@code temp} to {@code target}, or throws ObjectExistsException if {@code target} exists. */
    void publish(Path temp, Path target, String key) throws IOException {
        if (hardLinksSupported && link(temp, target, key)) {
            deleteLinkedTemp(temp, key);
            return;
        }
        try {
            Files.move(temp, target); // without REPLACE_EXISTING: refuses an existing target
        } catch (FileAlreadyExistsException e) {
            throw new ObjectExistsException(description, key);
        }
    }

    /** True once linked; false if this filesystem has no hard links; throws for any other failure. */
    private boolean link(Path temp, Path target, String key) throws IOException {
        try {
            hardLinks.create(target, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            throw new ObjectExistsException(description, key);
        } catch (UnsupportedOperationException e) {
            stopUsingHardLinks(e);
            return false;
        } catch (FileSystemException e) {
            if (e instanceof AccessDeniedException || e.getReason() == null || !NO_HARD_LINKS.contains(e.getReason())) {
                throw e;
            }
            stopUsingHardLinks(e);
            return false;
        }
    }

    private void stopUsingHardLinks(Exception cause) {
        hardLinksSupported = false;
        log.warn("{} does not support hard links ({}); create-only writes now rename after a check for an existing "
                + "object, which a concurrent writer can race: put the backup on a filesystem with hard links",
                description, cause.toString());
    }

    /** The object is published under its key; its temporary name is hidden, so failing to remove it is harmless. */
    private void deleteLinkedTemp(Path temp, String key) {
        try {
            Files.delete(temp);
        } catch (IOException e) {
            log.warn("Wrote '{}' in {} but could not remove its temporary name {}: {}", key, description, temp,
                    e.toString());
        }
    }
}
