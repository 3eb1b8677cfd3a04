package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.kbackup.testing.FaultInjectingProxy;
import dev.kbackup.testing.FaultInjectingProxy.Request;
import dev.kbackup.testing.S3ProxyFixture;

/**
 * Every request the S3 store makes carries the server-side encryption it is configured with: the mode on each write
 * that creates an object, and the SSE-C key on every write, part and read. Checked on the requests themselves, as a
 * proxy in front of S3Proxy records them, and end to end: S3Proxy 4.1 keeps SSE-S3 and enforces SSE-C keys.
 */
class S3ServerSideEncryptionTest {

    private static final int PART_SIZE = 5 * 1024 * 1024;
    private static final byte[] CUSTOMER_KEY = ObjectStoreContract.randomBytes(32, 77);
    private static final String CUSTOMER_KEY_BASE64 = Base64.getEncoder().encodeToString(CUSTOMER_KEY);

    private static S3ProxyFixture s3;
    private static FaultInjectingProxy recorder;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyFixture.start();
        recorder = FaultInjectingProxy.start(s3.endpoint());
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (recorder != null) {
            recorder.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void forgetRequests() {
        recorder.resetCounters();
    }

    @Test
    void sseS3IsRequestedOnEveryWriteThatCreatesAnObjectAndOnNoRead() throws IOException {
        exerciseEveryPath("sse-s3/", Map.of("s3.sse", "AES256"));

        List<Request> requests = recorder.requests();
        assertTrue(creatingWrites(requests).size() >= 4, "puts and multipart starts, probe included: " + requests);
        for (Request write : creatingWrites(requests)) {
            assertEquals("AES256", write.header("x-amz-server-side-encryption"), write.toString());
        }
        for (Request other : requests) {
            if (!creatingWrites(requests).contains(other)) {
                assertNull(other.header("x-amz-server-side-encryption"), other + " must not carry it");
            }
            assertNull(other.header("x-amz-server-side-encryption-customer-key"), other.toString());
        }
    }

    @Test
    void sseKmsNamesTheConfiguredKeyOnEveryWriteThatCreatesAnObject() throws IOException {
        String keyArn = "arn:aws:kms:us-east-1:111122223333:key/kbackup-test";
        exerciseEveryPath("sse-kms/", Map.of("s3.sse", "aws:kms", "s3.sse.kms.key.id", keyArn));

        List<Request> requests = recorder.requests();
        assertTrue(creatingWrites(requests).size() >= 4, requests.toString());
        for (Request write : creatingWrites(requests)) {
            assertEquals("aws:kms", write.header("x-amz-server-side-encryption"), write.toString());
            assertEquals(keyArn, write.header("x-amz-server-side-encryption-aws-kms-key-id"), write.toString());
        }
    }

    @Test
    void sseCustomerKeyTravelsWithEveryWritePartAndRead() throws Exception {
        exerciseEveryPath("sse-c/", Map.of("s3.sse.customer.key", CUSTOMER_KEY_BASE64));

        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(CUSTOMER_KEY));
        List<Request> requests = recorder.requests();
        List<Request> needingKey = requests.stream()
                .filter(r -> creatingWrites(requests).contains(r) || r.isUploadPart() || r.isCompleteMultipartUpload()
                        || r.method().equals("GET") && !isList(r) || r.method().equals("HEAD"))
                .toList();
        assertTrue(needingKey.stream().anyMatch(Request::isUploadPart), requests.toString());
        assertTrue(needingKey.stream().anyMatch(r -> r.method().equals("HEAD")), requests.toString());
        assertTrue(needingKey.stream().filter(r -> r.method().equals("GET")).count() >= 3, requests.toString());
        for (Request request : needingKey) {
            assertEquals("AES256", request.header("x-amz-server-side-encryption-customer-algorithm"),
                    request.toString());
            assertEquals(CUSTOMER_KEY_BASE64, request.header("x-amz-server-side-encryption-customer-key"),
                    request.toString());
            assertEquals(md5, request.header("x-amz-server-side-encryption-customer-key-md5"), request.toString());
            assertNull(request.header("x-amz-server-side-encryption"), request.toString());
        }
    }

    @Test
    void noEncryptionHeaderIsSentByDefault() throws IOException {
        exerciseEveryPath("plain/", Map.of());

        for (Request request : recorder.requests()) {
            assertTrue(request.headers().keySet().stream().noneMatch(h -> h.startsWith("x-amz-server-side")),
                    request + " " + request.headers());
        }
    }

    @Test
    void s3ProxyKeepsTheRequestedEncryptionAndRefusesAnSseCObjectToAReaderWithoutItsKey() throws IOException {
        exerciseEveryPath("e2e-sse-s3/", Map.of("s3.sse", "AES256"));
        exerciseEveryPath("e2e-sse-c/", Map.of("s3.sse.customer.key", CUSTOMER_KEY_BASE64));

        assertEquals("AES256", s3.client().headObject(b -> b.bucket(s3.bucket()).key("e2e-sse-s3/segments/large"))
                .serverSideEncryptionAsString());
        Map<String, String> withoutKey = new HashMap<>(s3.connectorConfig());
        withoutKey.put("storage.prefix", "e2e-sse-c/");
        try (S3ObjectStore store = new S3ObjectStore(StorageSettings.parse(withoutKey))) {
            StorageException refused = assertThrows(StorageException.class,
                    () -> store.read("segments/large").readAllBytes());
            assertTrue(refused.getMessage().contains("'segments/large'")
                    && refused.getMessage().contains("HTTP 400"), refused.getMessage());
        }
        Map<String, String> otherKey = new HashMap<>(withoutKey);
        otherKey.put("s3.sse.customer.key", Base64.getEncoder().encodeToString(ObjectStoreContract.randomBytes(32, 5)));
        try (S3ObjectStore store = new S3ObjectStore(StorageSettings.parse(otherKey))) {
            StorageException refused = assertThrows(StorageException.class,
                    () -> store.readIfExists("catalog/small"));
            assertTrue(refused.getMessage().contains("customer key does not match"), refused.getMessage());
        }
    }

    /** Small put, multipart upload, create-only writes (with the conditional-write probe), reads, ranges, HEAD. */
    private void exerciseEveryPath(String prefix, Map<String, String> sse) throws IOException {
        Map<String, String> config = new HashMap<>(s3.connectorConfig(recorder.endpoint()));
        config.put("storage.prefix", prefix);
        config.put("s3.part.size.bytes", Integer.toString(PART_SIZE));
        config.put("s3.conditional.writes", "auto");
        config.putAll(sse);
        byte[] small = ObjectStoreContract.randomBytes(1000, 1);
        byte[] large = ObjectStoreContract.randomBytes(PART_SIZE + 4321, 2);
        try (S3ObjectStore store = new S3ObjectStore(StorageSettings.parse(config))) {
            store.put("catalog/small", small, WriteMode.CREATE_NEW);
            store.put("catalog/overwritten", small, WriteMode.OVERWRITE);
            try (ObjectUpload upload = store.startUpload("segments/large", WriteMode.CREATE_NEW)) {
                upload.write(large, 0, large.length);
                upload.complete();
            }
            assertArrayEquals(small, store.readIfExists("catalog/small").orElseThrow());
            try (InputStream in = store.read("segments/large")) {
                assertArrayEquals(large, in.readAllBytes());
            }
            try (InputStream in = store.readRange("segments/large", PART_SIZE - 10, PART_SIZE + 10)) {
                assertArrayEquals(Arrays.copyOfRange(large, PART_SIZE - 10, PART_SIZE + 10),
                        in.readAllBytes());
            }
            assertEquals(large.length, store.stat("segments/large").orElseThrow().size());
            assertFalse(store.list("", null).next().key().isEmpty());
        }
    }

    private static List<Request> creatingWrites(List<Request> requests) {
        return requests.stream().filter(r -> r.isPutObject() || r.isCreateMultipartUpload()).toList();
    }

    private static boolean isList(Request request) {
        return request.target().contains("list-type=") || request.target().contains("?uploads")
                || request.target().contains("delimiter=");
    }
}
