package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kbackup.testing.S3ProxyFixture;

class StorageProbeTest {

    private static S3ProxyFixture s3;

    @TempDir
    Path temp;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyFixture.start();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aWritableBucketPassesAndKeepsNoTrace() {
        assertEquals(Optional.empty(), StorageProbe.checkWritable(s3.storageSettings(), "backups/b1/"));
        assertEquals(List.of(), ObjectStoreContract.keys(s3.store().list("", null)));
    }

    @Test
    void aWritableDirectoryPassesAndKeepsNoTrace() {
        try (ObjectStore store = new FilesystemObjectStore(temp)) {
            assertEquals(Optional.empty(), StorageProbe.checkWritable(store, "restores/r1/"));
            assertEquals(List.of(), ObjectStoreContract.keys(store.list("", null)));
        }
    }

    @Test
    void aMissingBucketIsNamedWithTheFix() {
        Optional<String> problem = StorageProbe.checkWritable(
                s3.storageSettings(Map.of("s3.bucket", "no-such-bucket")), "");
        assertTrue(problem.isPresent());
        assertContains(problem.get(), "s3://no-such-bucket", "NoSuchBucket", "create the bucket");
    }

    @Test
    void wrongCredentialsAreNamedWithTheFix() {
        Optional<String> problem = StorageProbe.checkWritable(
                s3.storageSettings(Map.of("s3.secret.access.key", "not-the-secret")), "");
        assertTrue(problem.isPresent());
        assertContains(problem.get(), "s3://" + s3.bucket(), "403", "s3.secret.access.key");
    }

    @Test
    void anUnusableRootDirectoryIsNamed() throws Exception {
        Path file = Files.write(temp.resolve("file"), new byte[] {1});
        Optional<String> problem = StorageProbe.checkWritable(StorageSettings.parse(Map.of(
                "storage.type", "filesystem", "filesystem.path", file.resolve("below").toString())), "");
        assertTrue(problem.isPresent());
        assertContains(problem.get(), file.toString());
    }

    @Test
    void anUnreachableEndpointIsNamed() {
        Optional<String> problem = StorageProbe.checkWritable(s3.storageSettings(Map.of(
                "s3.endpoint", "http://127.0.0.1:1", "s3.retry.max.attempts", "1")), "");
        assertTrue(problem.isPresent());
        assertContains(problem.get(), "s3://" + s3.bucket(), "reachable", "s3.endpoint");
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }
    }
}
