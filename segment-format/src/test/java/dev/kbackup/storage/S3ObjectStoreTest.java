package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kbackup.memory.HeapCost;
import dev.kbackup.testing.FaultInjectingProxy;
import dev.kbackup.testing.FaultInjectingProxy.Request;
import dev.kbackup.testing.S3ProxyFixture;

/** The store contract on a real S3 API (S3Proxy), seen through a healthy proxy that records the requests. */
class S3ObjectStoreTest extends ObjectStoreContract {

    private static final int LIST_PAGE_SIZE = 7;

    @TempDir
    static Path blobs;

    private static S3ProxyFixture s3;
    private static FaultInjectingProxy wire;
    private static S3ObjectStore store;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyFixture.start(blobs);
        wire = FaultInjectingProxy.start(s3.endpoint());
        store = new S3ObjectStore(settings(Map.of()), LIST_PAGE_SIZE);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (store != null) {
            store.close();
        }
        if (wire != null) {
            wire.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void forgetRequests() {
        wire.heal();
        wire.resetCounters();
    }

    static StorageSettings settings(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(s3.connectorConfig(wire.endpoint()));
        config.put("s3.part.size.bytes", Integer.toString(PART_SIZE));
        config.put("s3.retry.base.delay.ms", "10");
        config.put("s3.retry.max.backoff.ms", "200");
        config.putAll(overrides);
        return StorageSettings.parse(config);
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected void assertNothingPendingUnder(String keyPrefix) {
        assertEquals(List.of(), s3.pendingMultipartUploads().stream()
                .filter(key -> key.startsWith(keyPrefix)).collect(Collectors.toList()), "pending multipart uploads");
    }

    @Test
    void sendsObjectsUpToOnePartAsASinglePutObject() throws IOException {
        byte[] exactlyOnePart = randomBytes(PART_SIZE, 1);
        try (ObjectUpload upload = store.startUpload(base + "one-part", WriteMode.OVERWRITE)) {
            upload.write(exactlyOnePart);
            upload.complete();
        }
        assertEquals(List.of(), wire.requests().stream().filter(Request::isCreateMultipartUpload)
                .collect(Collectors.toList()));
        assertEquals(1, wire.requests().stream().filter(Request::isPutObject).count());

        try (ObjectUpload upload = store.startUpload(base + "two-parts", WriteMode.OVERWRITE)) {
            upload.write(exactlyOnePart);
            upload.write(7);
            // two part buffers at most, counted as the heap stores them
            assertTrue(upload.bufferedBytes() <= 2 * HeapCost.ofArray(PART_SIZE), "buffered " + upload.bufferedBytes());
            upload.complete();
        }
        assertEquals(1, wire.requests().stream().filter(Request::isCreateMultipartUpload).count());
        assertEquals(2, wire.requests().stream().filter(Request::isUploadPart).count());
        assertEquals(PART_SIZE + 1, store.stat(base + "two-parts").orElseThrow().size());
    }

    @Test
    void aSmallUploadHoldsABufferAboutItsOwnSizeNotAFixedLargeOne() throws IOException {
        byte[] small = randomBytes(10_000, 2);
        try (ObjectUpload upload = store.startUpload(base + "small", WriteMode.OVERWRITE)) {
            upload.write(small, 0, 20);
            upload.write(small, 20, small.length - 20);
            // a thousand open segments of a few kilobytes must not each hold a quarter-mebibyte buffer
            assertTrue(upload.bufferedBytes() <= HeapCost.ofArray(2 * small.length), "buffered "
                    + upload.bufferedBytes());
            upload.complete();
        }
        assertArrayEquals(small, store.readIfExists(base + "small").orElseThrow());
    }

    @Test
    void eachUploadCarriesOneCrc32OfItsBytesAndNoPayloadHash() throws IOException {
        byte[] small = randomBytes(1000, 12);
        byte[] large = randomBytes(PART_SIZE + 1000, 13);
        store.put(base + "small", small, WriteMode.OVERWRITE);
        try (ObjectUpload upload = store.startUpload(base + "large", WriteMode.OVERWRITE)) {
            upload.write(large);
            upload.complete();
        }

        List<Request> writes = wire.requests().stream()
                .filter(r -> (r.isPutObject() || r.isUploadPart()) && r.target().contains(base))
                .collect(Collectors.toList());
        assertEquals(3, writes.size(), writes.toString());
        for (Request write : writes) {
            // the payload is not hashed: SigV4 signs the headers, the CRC32 header among them
            assertEquals("UNSIGNED-PAYLOAD", write.header("x-amz-content-sha256"), write.toString());
            assertEquals(List.of("x-amz-checksum-crc32"), write.headers().keySet().stream()
                    .filter(h -> h.startsWith("x-amz-checksum-")).collect(Collectors.toList()), write.toString());
            assertNull(write.header("x-amz-trailer"), write.toString());
            String expected = write.isPutObject() ? crc32(small, 0, small.length)
                    : write.target().contains("partNumber=1&") || write.target().endsWith("partNumber=1")
                    ? crc32(large, 0, PART_SIZE) : crc32(large, PART_SIZE, 1000);
            assertEquals(expected, write.header("x-amz-checksum-crc32"), write.toString());
        }
        assertArrayEquals(small, store.readIfExists(base + "small").orElseThrow());
        try (InputStream in = store.read(base + "large")) {
            assertArrayEquals(large, in.readAllBytes());
        }
        // reads do not ask for the store's checksum (docs/security.md: segments carry their own CRC32C)
        Request read = last(wire.requests(), r -> r.method().equals("GET") && r.target().endsWith(base + "small"));
        assertNull(read.header("x-amz-checksum-mode"), read.toString());
    }

    /** The base64 of the big-endian CRC32, as the x-amz-checksum-crc32 header carries it. */
    private static String crc32(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void listsLazilyOnePageAtATime() {
        for (int i = 0; i < 25; i++) {
            store.put(base + String.format("k%02d", i), new byte[] {(byte) i}, WriteMode.OVERWRITE);
        }
        wire.resetCounters();

        Iterator<ObjectInfo> listing = store.list(base, null);
        assertEquals(0, listRequests(), "nothing is fetched before the first hasNext()");
        assertEquals(base + "k00", listing.next().key());
        assertEquals(1, listRequests());
        List<String> rest = keys(listing);
        assertEquals(24, rest.size());
        assertEquals(base + "k24", rest.get(23));
        assertEquals(4, listRequests(), "25 keys in pages of " + LIST_PAGE_SIZE);

        assertEquals(List.of(base + "k23", base + "k24"), keys(store.list(base, base + "k22")));
    }

    @Test
    void createNewSendsIfNoneMatchAfterProbingThatTheStoreEnforcesIt() {
        try (S3ObjectStore fresh = new S3ObjectStore(settings(Map.of()), LIST_PAGE_SIZE)) {
            assertEquals(null, fresh.conditionalWriteDecision());
            fresh.put(base + "first", new byte[] {1}, WriteMode.CREATE_NEW);

            assertEquals(new S3ConditionalWrites.Decision(true, true), fresh.conditionalWriteDecision());
            List<Request> probes = wire.requests().stream()
                    .filter(r -> r.target().contains(S3ConditionalWrites.PROBE_NAME_PREFIX))
                    .collect(Collectors.toList());
            // put twice, then complete a one-part multipart upload over it (refused, so aborted), then delete it
            assertEquals(List.of("PUT", "PUT", "POST", "PUT", "POST", "DELETE", "DELETE"), probes.stream()
                    .map(Request::method).collect(Collectors.toList()), probes.toString());
            assertTrue(probes.get(0).target().startsWith("/" + s3.bucket() + "/" + base), "probed next to the key");
            assertEquals(List.of(base + "first"), keys(fresh.list(base, null)), "the probe object is gone");

            Request write = last(wire.requests(), Request::isPutObject);
            assertEquals("*", write.header("If-None-Match"));
            assertThrows(ObjectExistsException.class, () -> fresh.put(base + "first", new byte[] {2},
                    WriteMode.CREATE_NEW));
        }
    }

    @Test
    void fallsBackToAHeadCheckWhenTheStoreRejectsIfNoneMatch() throws IOException {
        wire.failNext(100, 501, r -> r.header("If-None-Match") != null);
        try (S3ObjectStore fresh = new S3ObjectStore(settings(Map.of()), LIST_PAGE_SIZE)) {
            fresh.put(base + "existing", new byte[] {1}, WriteMode.CREATE_NEW);
            assertEquals(new S3ConditionalWrites.Decision(false, false), fresh.conditionalWriteDecision());

            assertThrows(ObjectExistsException.class,
                    () -> fresh.put(base + "existing", new byte[] {2}, WriteMode.CREATE_NEW));
            try (ObjectUpload upload = fresh.startUpload(base + "existing", WriteMode.CREATE_NEW)) {
                upload.write(randomBytes(PART_SIZE + 10, 2));
                assertThrows(ObjectExistsException.class, upload::complete);
            }
            assertArrayEquals(new byte[] {1}, fresh.readIfExists(base + "existing").orElseThrow());
            assertNothingPendingUnder(base);

            byte[] data = randomBytes(PART_SIZE + 10, 3);
            try (ObjectUpload upload = fresh.startUpload(base + "new", WriteMode.CREATE_NEW)) {
                upload.write(data);
                upload.complete();
            }
            assertArrayEquals(data, fresh.readIfExists(base + "new").orElseThrow());
        }
        List<Request> requests = wire.requests();
        int complete = requests.indexOf(last(requests, Request::isCompleteMultipartUpload));
        assertEquals("HEAD", requests.get(complete - 1).method(), "a HEAD check right before completing");
        assertEquals(1, requests.stream().filter(r -> r.header("If-None-Match") != null).count(),
                "only the probe sent the header: " + requests);
    }

    @Test
    void createNewWithConditionalWritesDisabledChecksWithHead() {
        try (S3ObjectStore headChecking = new S3ObjectStore(settings(Map.of("s3.conditional.writes", "disabled")),
                LIST_PAGE_SIZE)) {
            headChecking.put(base + "k", new byte[] {1}, WriteMode.CREATE_NEW);
            assertThrows(ObjectExistsException.class, () -> headChecking.put(base + "k", new byte[] {2},
                    WriteMode.CREATE_NEW));
            assertEquals(new S3ConditionalWrites.Decision(false, false), headChecking.conditionalWriteDecision());
        }
        assertTrue(wire.requests().stream().noneMatch(r -> r.header("If-None-Match") != null));
        assertTrue(wire.requests().stream().noneMatch(r -> r.target().contains("probe")));
    }

    @Test
    void createNewWithConditionalWritesEnabledExplainsAStoreThatAnswers501() {
        wire.failNext(1, 501, r -> r.header("If-None-Match") != null);
        try (S3ObjectStore trusting = new S3ObjectStore(settings(Map.of("s3.conditional.writes", "enabled")),
                LIST_PAGE_SIZE)) {
            StorageException refused = assertThrows(StorageException.class,
                    () -> trusting.put(base + "k", new byte[] {1}, WriteMode.CREATE_NEW));
            assertFalse(refused.isRetriable());
            assertTrue(refused.getMessage().contains("s3.conditional.writes"), refused.getMessage());
        }
    }

    @Test
    void retriesAConditionalWriteThatConflictedWithAConcurrentOne() {
        wire.failNext(1, 409, r -> r.isPutObject() && r.header("If-None-Match") != null
                && r.target().endsWith("/contended"));
        store.put(base + "contended", "mine".getBytes(StandardCharsets.UTF_8), WriteMode.CREATE_NEW);
        assertEquals("mine", new String(store.readIfExists(base + "contended").orElseThrow(),
                StandardCharsets.UTF_8));
        assertEquals(1, wire.requestsFailed());
    }

    @Test
    void appliesTheStoragePrefixAndNamesTheBucketInMessages() {
        try (S3ObjectStore prefixed = new S3ObjectStore(settings(Map.of("storage.prefix", base + "root")), 1000)) {
            assertEquals("s3://" + s3.bucket() + "/" + base + "root/", prefixed.describe());
            prefixed.put("x/y", new byte[] {1}, WriteMode.CREATE_NEW);
            assertEquals(List.of("x/y"), keys(prefixed.list("", null)));
            assertTrue(store.stat(base + "root/x/y").isPresent());
            ObjectNotFoundException missing = assertThrows(ObjectNotFoundException.class,
                    () -> prefixed.read("nope"));
            assertTrue(missing.getMessage().contains("s3://" + s3.bucket()), missing.getMessage());
        }
    }

    private long listRequests() {
        return wire.requests().stream().filter(r -> r.method().equals("GET") && r.target().contains("list-type=2"))
                .count();
    }

    private static Request last(List<Request> requests, java.util.function.Predicate<Request> which) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (which.test(requests.get(i))) {
                return requests.get(i);
            }
        }
        throw new AssertionError("no such request in " + requests);
    }
}
