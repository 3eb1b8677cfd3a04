package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import dev.kbackup.testing.FaultInjectingProxy;
import dev.kbackup.testing.FaultInjectingProxy.Request;
import dev.kbackup.testing.S3ProxyFixture;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Large segments become visible through CompleteMultipartUpload, not PutObject: a create-only completion must refuse
 * an existing key as surely as a create-only PutObject. Proved on S3Proxy, and on an S3Proxy whose store ignores
 * {@code If-None-Match} on completion (as some S3-compatible stores do) where the auto mode must notice it.
 */
class S3ConditionalWritesTest {

    private static final int PART_SIZE = 5 * 1024 * 1024;

    private static S3ProxyFixture honouring;
    private static FaultInjectingProxy wire;
    private static S3ProxyFixture ignoringOnCompletion;
    private String base;

    @BeforeAll
    static void startS3() throws Exception {
        honouring = S3ProxyFixture.start();
        wire = FaultInjectingProxy.start(honouring.endpoint());
        ignoringOnCompletion = S3ProxyFixture.start(new IgnoresIfNoneMatchOnCompletion(new TransientNio2BlobStore()));
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (wire != null) {
            wire.close();
        }
        for (S3ProxyFixture fixture : new S3ProxyFixture[] {honouring, ignoringOnCompletion}) {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @BeforeEach
    void chooseKeys(TestInfo test) {
        base = test.getTestMethod().orElseThrow().getName() + "/";
        wire.resetCounters();
    }

    @Test
    void s3ProxyRefusesACompletionWithIfNoneMatchOverAnExistingKey() {
        S3Client client = honouring.client();
        String key = base + "segment";
        client.putObject(b -> b.bucket(honouring.bucket()).key(key), RequestBody.fromString("original"));

        S3Exception refused = assertThrows(S3Exception.class, () -> completeOver(client, honouring.bucket(), key));
        assertEquals(412, refused.statusCode());
        assertEquals("original", client.getObjectAsBytes(b -> b.bucket(honouring.bucket()).key(key)).asUtf8String());
    }

    @Test
    void autoModeProbesTheCompletionAndReliesOnTheHeaderWhereItIsHonoured() throws IOException {
        try (S3ObjectStore store = new S3ObjectStore(settings(honouring, wire.endpoint().toString()))) {
            store.put(base + "segment", original(), WriteMode.CREATE_NEW);
            assertEquals(new S3ConditionalWrites.Decision(true, true), store.conditionalWriteDecision());

            assertLargeCreateOnlyWriteIsRefused(store, base + "segment");
        }
        List<Request> probes = wire.requests().stream()
                .filter(r -> r.target().contains(S3ConditionalWrites.PROBE_NAME_PREFIX)).collect(Collectors.toList());
        assertEquals(1, probes.stream().filter(Request::isCompleteMultipartUpload)
                .filter(r -> "*".equals(r.header("If-None-Match"))).count(), "the probe completes over itself");
        assertEquals(List.of(), keysUnder(honouring));
        Request completion = wire.requests().stream().filter(Request::isCompleteMultipartUpload)
                .filter(r -> r.target().contains("/" + base + "segment?")).findFirst().orElseThrow();
        assertEquals("*", completion.header("If-None-Match"));
    }

    @Test
    void aStoreThatIgnoresTheHeaderOnCompletionIsCheckedWithHeadBeforeCompleting() throws IOException {
        S3Client client = ignoringOnCompletion.client();
        String bucket = ignoringOnCompletion.bucket();
        client.putObject(b -> b.bucket(bucket).key(base + "proof"), RequestBody.fromString("original"));
        completeOver(client, bucket, base + "proof");
        assertEquals("x", client.getObjectAsBytes(b -> b.bucket(bucket).key(base + "proof")).asUtf8String(),
                "this store really does let a conditional completion replace an object");

        try (S3ObjectStore store = new S3ObjectStore(settings(ignoringOnCompletion,
                ignoringOnCompletion.endpoint().toString()))) {
            store.put(base + "segment", original(), WriteMode.CREATE_NEW);
            assertEquals(new S3ConditionalWrites.Decision(true, false), store.conditionalWriteDecision());

            assertLargeCreateOnlyWriteIsRefused(store, base + "segment");
            assertThrows(ObjectExistsException.class, () -> store.put(base + "segment", new byte[] {1},
                    WriteMode.CREATE_NEW), "PutObject still relies on the header");

            byte[] fresh = ObjectStoreContract.randomBytes(PART_SIZE + 10, 4);
            try (ObjectUpload upload = store.startUpload(base + "fresh", WriteMode.CREATE_NEW)) {
                upload.write(fresh);
                upload.complete();
            }
            assertArrayEquals(fresh, store.readIfExists(base + "fresh").orElseThrow());
        }
        assertEquals(List.of(), keysUnder(ignoringOnCompletion).stream()
                .filter(k -> k.contains(S3ConditionalWrites.PROBE_NAME_PREFIX)).collect(Collectors.toList()));
        assertEquals(List.of(), ignoringOnCompletion.pendingMultipartUploads());
    }

    private void assertLargeCreateOnlyWriteIsRefused(S3ObjectStore store, String key) throws IOException {
        try (ObjectUpload zombie = store.startUpload(key, WriteMode.CREATE_NEW)) {
            zombie.write(ObjectStoreContract.randomBytes(PART_SIZE + 10, 2));
            ObjectExistsException refused = assertThrows(ObjectExistsException.class, zombie::complete);
            assertEquals(key, refused.key());
        }
        assertArrayEquals(original(), store.readIfExists(key).orElseThrow(), "the completed segment is unchanged");
        assertTrue(store.list(base, null).hasNext());
    }

    /** Completes a one-part multipart upload of "x" over {@code key} with If-None-Match: *. */
    private static void completeOver(S3Client client, String bucket, String key) {
        String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        try {
            String eTag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                    RequestBody.fromString("x")).eTag();
            client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId).ifNoneMatch("*")
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(eTag).build())));
        } catch (S3Exception e) {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            throw e;
        }
    }

    private static byte[] original() {
        return "completed segment".getBytes(StandardCharsets.UTF_8);
    }

    private static StorageSettings settings(S3ProxyFixture s3, String endpoint) {
        Map<String, String> config = new HashMap<>(s3.connectorConfig());
        config.put("s3.endpoint", endpoint);
        config.put("s3.part.size.bytes", Integer.toString(PART_SIZE));
        config.put("s3.conditional.writes", "auto");
        return StorageSettings.parse(config);
    }

    private static List<String> keysUnder(S3ProxyFixture s3) {
        return s3.client().listObjectsV2(b -> b.bucket(s3.bucket())).contents().stream()
                .map(o -> o.key()).filter(k -> k.contains(S3ConditionalWrites.PROBE_NAME_PREFIX))
                .collect(Collectors.toList());
    }

    /** A blob store that drops If-None-Match from CompleteMultipartUpload, as a store without that support would. */
    private static final class IgnoresIfNoneMatchOnCompletion extends ForwardingBlobStore {
        IgnoresIfNoneMatchOnCompletion(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                CompleteMultipartUploadRequest request) {
            return super.completeMultipartUpload(upload, request.toBuilder().ifNoneMatch(null).build());
        }
    }
}
