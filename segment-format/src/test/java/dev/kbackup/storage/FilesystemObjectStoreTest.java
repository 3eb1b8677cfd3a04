package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilesystemObjectStoreTest extends ObjectStoreContract {

    @TempDir
    Path temp;

    private Path root;
    private FilesystemObjectStore store;

    @BeforeEach
    void openStore() {
        root = temp.resolve("backups");
        store = (FilesystemObjectStore) ObjectStores.open(StorageSettings.parse(Map.of(
                "storage.type", "filesystem", "filesystem.path", root.toString())));
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected void assertNothingPendingUnder(String keyPrefix) {
        assertEquals(List.of(), temporaryFiles(), "temporary files left behind");
    }

    @Test
    void createsTheRootAndStoresObjectsAsPlainFilesBelowIt() throws IOException {
        assertTrue(Files.isDirectory(root));
        store.put("topic/0/segment", "bytes".getBytes(StandardCharsets.UTF_8), WriteMode.CREATE_NEW);
        assertEquals("bytes", Files.readString(root.resolve("topic/0/segment")));
        assertEquals(root.toRealPath().toUri().toString(), store.describe());
    }

    @Test
    void appliesTheStoragePrefixBelowTheRoot() throws IOException {
        try (ObjectStore prefixed = ObjectStores.open(StorageSettings.parse(Map.of("storage.type", "filesystem",
                "filesystem.path", root.toString(), "storage.prefix", "prod/cluster-a")))) {
            prefixed.put("manifest.json", new byte[] {'{', '}'}, WriteMode.CREATE_NEW);
            assertEquals("{}", Files.readString(root.resolve("prod/cluster-a/manifest.json")));
            assertEquals(List.of("manifest.json"), keys(prefixed.list("", null)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/etc/passwd", "a\\b", "a\u0000b", "a//b", "a/", "./a", "a/./b", "..", "../x",
        "a/../../x", "a/..", ".kbackup-123.tmp", "a/.partial.tmp"})
    void refusesKeysThatAreEmptyOddOrCouldLeaveTheRoot(String key) {
        List<Executable> operations = List.of(
                () -> store.put(key, new byte[] {1}, WriteMode.OVERWRITE),
                () -> store.startUpload(key, WriteMode.CREATE_NEW),
                () -> store.read(key),
                () -> store.readRange(key, 0, 1),
                () -> store.readIfExists(key),
                () -> store.stat(key),
                () -> store.delete(key));
        for (Executable operation : operations) {
            StorageException refused = assertThrows(StorageException.class, operation);
            assertFalse(refused.isRetriable(), refused.getMessage());
            assertTrue(refused.getMessage().contains("'" + key + "'"), refused.getMessage());
            assertTrue(refused.getMessage().contains(store.describe()), refused.getMessage());
        }
        assertEquals(List.of(), allFiles(temp), "nothing was written anywhere");
    }

    @Test
    void temporaryFilesAreNeverListed() throws IOException {
        store.put("a/done", new byte[] {1}, WriteMode.CREATE_NEW);
        Files.write(root.resolve("a/.stray-from-a-crash.tmp"), new byte[] {9});
        try (ObjectUpload upload = store.startUpload("a/in-progress", WriteMode.CREATE_NEW)) {
            upload.write(new byte[100_000]);
            assertEquals(2, temporaryFiles().size(), "the upload writes to a hidden temporary file");

            assertEquals(List.of("a/done"), keys(store.list("", null)));
            assertEquals(List.of("a/done"), keys(store.list("a/", null)));
            upload.complete();
        }
        assertEquals(List.of("a/done", "a/in-progress"), keys(store.list("", null)));
        assertEquals(List.of(root.resolve("a/.stray-from-a-crash.tmp")), temporaryFiles());
    }

    @Test
    void aFailedUploadLeavesNothingBehind() throws IOException {
        store.put("a/b/c", new byte[] {1}, WriteMode.CREATE_NEW);

        ObjectUpload blocked = store.startUpload("a/b", WriteMode.OVERWRITE);
        blocked.write(new byte[] {2, 3});
        StorageException refused = assertThrows(StorageException.class, blocked::complete);
        assertFalse(refused.isRetriable());
        assertTrue(refused.getMessage().contains("'a/b'"), refused.getMessage());

        StorageException underAFile = assertThrows(StorageException.class,
                () -> store.put("a/b/c/d", new byte[] {4}, WriteMode.CREATE_NEW));
        assertFalse(underAFile.isRetriable());

        assertThrows(ObjectExistsException.class, () -> store.put("a/b/c", new byte[] {5}, WriteMode.CREATE_NEW));

        assertEquals(List.of(), temporaryFiles());
        assertEquals(List.of("a/b/c"), keys(store.list("", null)));
        assertArrayEquals(new byte[] {1}, store.readIfExists("a/b/c").orElseThrow());
    }

    @Test
    void aTransientLinkFailureFailsThatWriteOnlyAndNeverWeakensCreateOnly() {
        FaultyHardLinks links = new FaultyHardLinks();
        FilesystemObjectStore faulty = new FilesystemObjectStore(root, links);
        faulty.put("segments/s1", "completed".getBytes(StandardCharsets.UTF_8), WriteMode.CREATE_NEW);

        links.failNext(new FileSystemException("segments/s2", null, "No space left on device"));
        StorageException full = assertThrows(StorageException.class,
                () -> faulty.put("segments/s2", new byte[] {1}, WriteMode.CREATE_NEW));
        assertFalse(full instanceof ObjectExistsException, full.toString());
        assertTrue(full.isRetriable(), full.getMessage());
        for (String part : List.of("'segments/s2'", faulty.describe(), "No space left on device", "free space")) {
            assertTrue(full.getMessage().contains(part), "'" + part + "' in: " + full.getMessage());
        }
        assertEquals(Optional.empty(), faulty.stat("segments/s2"));
        assertEquals(List.of(), temporaryFiles());

        // a zombie writing the completed segment again meets the same link primitive, which cannot replace
        int linksBefore = links.calls;
        assertThrows(ObjectExistsException.class,
                () -> faulty.put("segments/s1", "zombie".getBytes(StandardCharsets.UTF_8), WriteMode.CREATE_NEW));
        assertEquals(linksBefore + 1, links.calls, "create-only still publishes with a hard link");
        assertEquals("completed", new String(faulty.readIfExists("segments/s1").orElseThrow(),
                StandardCharsets.UTF_8));
        faulty.put("segments/s2", new byte[] {2}, WriteMode.CREATE_NEW);
        assertArrayEquals(new byte[] {2}, faulty.readIfExists("segments/s2").orElseThrow());
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void createNewStillRefusesExistingKeysWhereHardLinksAreUnsupported() {
        List<Exception> noLinksErrors = List.of(new UnsupportedOperationException("no links"),
                new FileSystemException("x", null, "Operation not permitted"),
                new FileSystemException("x", null, "Operation not supported"));
        for (Exception unsupported : noLinksErrors) {
            FaultyHardLinks links = new FaultyHardLinks();
            FilesystemObjectStore noLinks = new FilesystemObjectStore(root, links);
            String key = "no-links-" + noLinksErrors.indexOf(unsupported);
            links.failAlways(unsupported);
            noLinks.put(key, new byte[] {1}, WriteMode.CREATE_NEW);
            assertThrows(ObjectExistsException.class, () -> noLinks.put(key, new byte[] {2}, WriteMode.CREATE_NEW));
            assertArrayEquals(new byte[] {1}, noLinks.readIfExists(key).orElseThrow());
            assertEquals(1, links.calls, "a filesystem without hard links is detected once");
            assertEquals(List.of(), temporaryFiles());
        }
    }

    /** link(2) as the store uses it, failing the next call or every call with a chosen error. */
    private static final class FaultyHardLinks implements CreateOnlyPublisher.HardLinks {
        private Exception always;
        private IOException next;
        int calls;

        void failNext(IOException failure) {
            next = failure;
        }

        void failAlways(Exception failure) {
            always = failure;
        }

        @Override
        public void create(Path link, Path existing) throws IOException {
            calls++;
            if (always instanceof IOException io) {
                throw io;
            }
            if (always instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (next != null) {
                IOException failure = next;
                next = null;
                throw failure;
            }
            Files.createLink(link, existing);
        }
    }

    @Test
    void directoriesAreNotObjects() {
        store.put("dir/file", new byte[] {1}, WriteMode.CREATE_NEW);
        assertEquals(Optional.empty(), store.stat("dir"));
        assertEquals(Optional.empty(), store.readIfExists("dir"));
        assertThrows(ObjectNotFoundException.class, () -> store.read("dir"));
        assertThrows(ObjectNotFoundException.class, () -> store.read("dir/file/below-a-file"));
        store.delete("dir");
        assertTrue(store.stat("dir/file").isPresent());
    }

    @Test
    void refusesARootThatIsAFile() throws IOException {
        Path file = Files.write(temp.resolve("not-a-directory"), new byte[] {1});
        StorageException refused = assertThrows(StorageException.class,
                () -> new FilesystemObjectStore(file.resolve("below")));
        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
    }

    private List<Path> temporaryFiles() {
        return allFiles(root).stream()
                .filter(p -> FilesystemObjectStore.isTemporaryName(p.getFileName().toString()))
                .collect(Collectors.toList());
    }

    private static List<Path> allFiles(Path directory) {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
