package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.kbackup.testing.FaultInjectingProxy;
import dev.kbackup.testing.FaultInjectingProxy.Request;
import dev.kbackup.testing.S3ProxyFixture;

/** An S3 store whose endpoint fails for a while: what is retried, what is not, and what is left behind. */
class S3ObjectStoreFaultTest {

    private static final int PART_SIZE = 5 * 1024 * 1024;
    private static final int ATTEMPTS = 4;

    private static S3ProxyFixture s3;
    private static FaultInjectingProxy faults;
    private S3ObjectStore store;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyFixture.start();
        faults = FaultInjectingProxy.start(s3.endpoint());
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (faults != null) {
            faults.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void openStore() {
        faults.heal();
        Map<String, String> config = new HashMap<>(s3.connectorConfig(faults.endpoint()));
        config.put("s3.part.size.bytes", Integer.toString(PART_SIZE));
        config.put("s3.retry.max.attempts", Integer.toString(ATTEMPTS));
        config.put("s3.retry.base.delay.ms", "5");
        config.put("s3.retry.max.backoff.ms", "50");
        config.put("s3.conditional.writes", "enabled");
        store = new S3ObjectStore(StorageSettings.parse(config));
        faults.resetCounters();
    }

    @AfterEach
    void closeStore() {
        faults.heal();
        store.close();
    }

    @Test
    void slowDownOnTheFirstRequestsOfAnUploadIsRetriedTransparently() throws IOException {
        byte[] data = ObjectStoreContract.randomBytes(3 * PART_SIZE + 1234, 9);
        faults.failNext(3, 503);
        faults.failNext(2, 500, Request::isUploadPart);
        faults.failNext(1, FaultInjectingProxy.DROP_CONNECTION, Request::isCompleteMultipartUpload);

        try (ObjectUpload upload = store.startUpload("retried/segment", WriteMode.CREATE_NEW)) {
            for (int offset = 0; offset < data.length; offset += 100_000) {
                upload.write(data, offset, Math.min(100_000, data.length - offset));
            }
            upload.complete();
        }

        assertEquals(6, faults.requestsFailed());
        try (InputStream in = store.read("retried/segment")) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertEquals(List.of(), s3.pendingMultipartUploads());
    }

    @Test
    void throttlingWith429IsRetried() {
        faults.failNext(ATTEMPTS - 1, 429);
        store.put("throttled", new byte[] {1, 2}, WriteMode.OVERWRITE);
        assertArrayEquals(new byte[] {1, 2}, store.readIfExists("throttled").orElseThrow());
    }

    @Test
    void persistentSlowDownSurfacesAsARetriableFailureAfterTheConfiguredAttempts() {
        faults.failAll(503);
        StorageException failure = assertThrows(StorageException.class,
                () -> store.put("outage/segment", new byte[] {1}, WriteMode.OVERWRITE));

        assertTrue(failure.isRetriable(), failure.getMessage());
        assertEquals(ATTEMPTS, faults.requestsFailed(), "one request per configured attempt");
        String message = failure.getMessage();
        for (String part : List.of("PutObject", "outage/segment", "s3://" + s3.bucket(), "503", "SlowDown")) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }

        faults.heal();
        store.put("outage/segment", new byte[] {1}, WriteMode.OVERWRITE);
        assertEquals(Optional.of(1L), store.stat("outage/segment").map(ObjectInfo::size));
    }

    @Test
    void aPartThatKeepsFailingAbortsTheWholeUpload() throws IOException {
        faults.failNext(ATTEMPTS, 503, Request::isUploadPart);
        ObjectUpload upload = store.startUpload("doomed/segment", WriteMode.CREATE_NEW);
        byte[] part = ObjectStoreContract.randomBytes(PART_SIZE, 1);
        StorageException failure = assertThrows(StorageException.class, () -> {
            upload.write(part);
            upload.write(part);
            upload.write(part);
            upload.complete();
        });
        assertTrue(failure.isRetriable(), failure.getMessage());
        assertTrue(failure.getMessage().contains("UploadPart"), failure.getMessage());
        upload.close();

        assertEquals(Optional.empty(), store.stat("doomed/segment"));
        assertEquals(List.of(), s3.pendingMultipartUploads());
    }

    @Test
    void accessDeniedIsNotRetried() {
        faults.failNext(1, 403);
        StorageException denied = assertThrows(StorageException.class, () -> store.stat("secret"));

        assertFalse(denied.isRetriable());
        assertEquals(1, faults.requestsSeen());
        assertTrue(denied.getMessage().contains("403"), denied.getMessage());
        assertTrue(denied.getMessage().contains("HeadObject"), denied.getMessage());
    }

    @Test
    void clientErrorsAreNotRetried() {
        faults.failNext(1, 400);
        StorageException rejected = assertThrows(StorageException.class,
                () -> store.put("bad", new byte[] {1}, WriteMode.OVERWRITE));
        assertFalse(rejected.isRetriable());
        assertEquals(1, faults.requestsSeen());
    }

    @Test
    void readsAndListsRecoverFromShortOutages() throws IOException {
        store.put("r/a", new byte[] {1, 2, 3, 4}, WriteMode.OVERWRITE);
        store.put("r/b", new byte[] {5}, WriteMode.OVERWRITE);
        faults.failNext(2, 503);
        try (InputStream in = store.readRange("r/a", 1, 3)) {
            assertArrayEquals(new byte[] {2, 3}, in.readAllBytes());
        }
        faults.failNext(2, 500);
        assertEquals(List.of("r/a", "r/b"), ObjectStoreContract.keys(store.list("r/", null)));
        assertEquals(4, faults.requestsFailed());
    }
}
