package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
    void createNewStillRefusesExistingKeysWhereHardLinksAreUnsupported() {
        store.disableHardLinks();
        store.put("x", new byte[] {1}, WriteMode.CREATE_NEW);
        assertThrows(ObjectExistsException.class, () -> store.put("x", new byte[] {2}, WriteMode.CREATE_NEW));
        assertArrayEquals(new byte[] {1}, store.readIfExists("x").orElseThrow());
        assertEquals(List.of(), temporaryFiles());
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
