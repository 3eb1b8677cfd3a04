package dev.kbackup.storage;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * An {@link ObjectStore} on an S3 bucket (AWS or S3-compatible), below the configured key prefix. Retries are done
 * by the SDK (see {@link S3Clients}); whatever still fails becomes a {@link StorageException}.
 *
 * <p>Every write carries a CRC32 checksum that the store verifies, in a header: the one pass the SDK makes over the
 * bytes, since SigV4 does not hash the payload, over plain http either ({@link UnsignedPayloadSigner}). Multipart
 * uploads declare it when they start and hand each part's checksum back on completion: AWS rejects the completion if
 * parts carry checksums the upload did not declare, which is what the SDK's default checksums would otherwise
 * produce. Reads do not ask for the store's checksum: segments carry a CRC32C per block and of the whole object,
 * checked by their readers (docs/security.md, "What is verified where").
 */
public final class S3ObjectStore implements ObjectStore {

    static final int DEFAULT_LIST_PAGE_SIZE = 1000;
    private static final int CONFLICT_ATTEMPTS = 3;
    private static final AtomicInteger UPLOAD_THREADS = new AtomicInteger();

    private final AwsCredentialsProvider credentials;
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String location;
    private final String description;
    private final int partSizeBytes;
    private final int listPageSize;
    private final S3ConditionalWrites conditionalWrites;
    private final S3ServerSideEncryption sse;
    private final ExecutorService partUploads;

    public S3ObjectStore(StorageSettings settings) {
        this(settings, DEFAULT_LIST_PAGE_SIZE);
    }

    // for testing: a small page size makes listings span several ListObjectsV2 requests
    S3ObjectStore(StorageSettings settings, int listPageSize) {
        if (settings.type() != StorageType.S3 || settings.bucket() == null) {
            throw new IllegalArgumentException("Not S3 settings with a bucket: " + settings);
        }
        this.credentials = S3Clients.credentials(settings);
        this.s3 = S3Clients.create(settings, credentials);
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.location = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        // failures name the endpoint too: a TLS or network problem is about it, not about the bucket
        this.description = settings.endpoint() == null ? location : location + " at " + settings.endpoint();
        this.partSizeBytes = settings.partSizeBytes();
        this.listPageSize = listPageSize;
        this.sse = settings.serverSideEncryption();
        this.conditionalWrites = new S3ConditionalWrites(settings.conditionalWrites(), s3, bucket, description, sse);
        this.partUploads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "kbackup-s3-part-upload-" + UPLOAD_THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public String describe() {
        return location;
    }

    @Override
    public ObjectUpload startUpload(String key, WriteMode mode) {
        checkKey(key);
        return new S3Upload(this, key, mode, partSizeBytes);
    }

    @Override
    public void put(String key, byte[] bytes, WriteMode mode) {
        checkKey(key);
        putObject(key, bytes, bytes.length, mode);
    }

    @Override
    public InputStream read(String key) {
        return get(key, null);
    }

    @Override
    public InputStream readRange(String key, long start, long endExclusive) {
        if (start < 0 || endExclusive < start) {
            throw new IllegalArgumentException("Invalid range [" + start + ", " + endExclusive + ") of " + key);
        }
        if (start == endExclusive) {
            return InputStream.nullInputStream();
        }
        return get(key, "bytes=" + start + "-" + (endExclusive - 1));
    }

    @Override
    public Optional<byte[]> readIfExists(String key) {
        String fullKey = fullKey(key);
        try {
            return Optional.of(s3.getObjectAsBytes(b -> sse.applyTo(b.bucket(bucket).key(fullKey))).asByteArrayUnsafe());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw S3Failures.translate(description, "GetObject", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        String fullKey = fullKey(key);
        try {
            HeadObjectResponse head = s3.headObject(b -> sse.applyTo(b.bucket(bucket).key(fullKey)));
            return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified().toEpochMilli(),
                    unquote(head.eTag())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw S3Failures.translate(description, "HeadObject", key, e);
        } catch (SdkException e) {
            throw S3Failures.translate(description, "HeadObject", key, e);
        }
    }

    @Override
    public Iterator<ObjectInfo> list(String keyPrefix, String startAfter) {
        return new Listing(keyPrefix == null ? "" : keyPrefix, startAfter);
    }

    @Override
    public void delete(String key) {
        String fullKey = fullKey(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(fullKey));
        } catch (SdkException e) {
            throw S3Failures.translate(description, "DeleteObject", key, e);
        }
    }

    @Override
    public void close() {
        partUploads.shutdownNow();
        s3.close();
        if (credentials instanceof SdkAutoCloseable closeable) { // the default chain may hold refresh threads
            closeable.close();
        }
    }

    /** For tests: which create-only writes use If-None-Match (null until the first one). */
    S3ConditionalWrites.Decision conditionalWriteDecision() {
        return conditionalWrites.decision();
    }

    // ---- used by S3Upload ----

    ObjectInfo putObject(String key, byte[] data, int length, WriteMode mode) {
        String fullKey = prefix + key;
        RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                "application/octet-stream");
        String eTag = writeChecked(S3ConditionalWrites.Write.PUT_OBJECT, "PutObject", key, mode,
                ifNoneMatch -> s3.putObject(b -> sse.applyTo(b.bucket(bucket).key(fullKey).ifNoneMatch(ifNoneMatch)
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32)), body).eTag());
        return new ObjectInfo(key, length, System.currentTimeMillis(), unquote(eTag));
    }

    String createMultipartUpload(String key) {
        try {
            return s3.createMultipartUpload(b -> sse.applyTo(b.bucket(bucket).key(prefix + key)
                    .contentType("application/octet-stream").checksumAlgorithm(ChecksumAlgorithm.CRC32))).uploadId();
        } catch (SdkException e) {
            throw S3Failures.translate(description, "CreateMultipartUpload", key, e);
        }
    }

    CompletedPart uploadPart(String key, String uploadId, int partNumber, byte[] data, int length) {
        RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                "application/octet-stream");
        try {
            UploadPartResponse response = s3.uploadPart(b -> sse.applyTo(b.bucket(bucket).key(prefix + key)
                    .uploadId(uploadId).partNumber(partNumber).contentLength((long) length)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32)), body);
            return CompletedPart.builder().partNumber(partNumber).eTag(response.eTag())
                    .checksumCRC32(response.checksumCRC32()).build();
        } catch (SdkException e) {
            throw S3Failures.translate(description, "UploadPart " + partNumber, key, e);
        }
    }

    ObjectInfo completeMultipartUpload(String key, String uploadId, List<CompletedPart> parts, long size,
            WriteMode mode) {
        String eTag = writeChecked(S3ConditionalWrites.Write.COMPLETE_MULTIPART_UPLOAD, "CompleteMultipartUpload",
                key, mode, ifNoneMatch -> s3.completeMultipartUpload(
                b -> sse.applyTo(b.bucket(bucket).key(prefix + key).uploadId(uploadId).ifNoneMatch(ifNoneMatch)
                        .multipartUpload(m -> m.parts(parts)))).eTag());
        return new ObjectInfo(key, size, System.currentTimeMillis(), unquote(eTag));
    }

    void abortMultipartUpload(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(prefix + key).uploadId(uploadId));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) { // NoSuchUpload: already gone
                throw S3Failures.translate(description, "AbortMultipartUpload " + uploadId, key, e);
            }
        } catch (SdkException e) {
            throw S3Failures.translate(description, "AbortMultipartUpload " + uploadId, key, e);
        }
    }

    ExecutorService partUploads() {
        return partUploads;
    }

    /**
     * Runs a write that makes an object visible. For {@link WriteMode#CREATE_NEW} it passes {@code "*"} as
     * If-None-Match if the store enforces it on this kind of write, else null after a HEAD check, and turns 412 into
     * {@link ObjectExistsException}. A 409 ConditionalRequestConflict (a concurrent write) is re-checked with HEAD
     * and retried a few times.
     */
    private <T> T writeChecked(S3ConditionalWrites.Write kind, String operation, String key, WriteMode mode,
                               Function<String, T> write) {
        if (mode == WriteMode.OVERWRITE) {
            try {
                return write.apply(null);
            } catch (SdkException e) {
                throw S3Failures.translate(description, operation, key, e);
            }
        }
        boolean useHeader = conditionalWrites.headerEnforced(prefix + key, kind);
        for (int attempt = 1; ; attempt++) {
            if (!useHeader && stat(key).isPresent()) {
                throw new ObjectExistsException(description, key);
            }
            try {
                return write.apply(useHeader ? "*" : null);
            } catch (S3Exception e) {
                int status = e.statusCode();
                if (status == 412) {
                    throw new ObjectExistsException(description, key);
                }
                if (status == 409 && "ConditionalRequestConflict".equals(S3Failures.errorCode(e))) {
                    if (stat(key).isPresent()) {
                        throw new ObjectExistsException(description, key);
                    }
                    if (attempt < CONFLICT_ATTEMPTS) {
                        pause(50L * attempt);
                        continue;
                    }
                    throw new StorageException(operation + " of '" + key + "' in " + description + " kept "
                            + "conflicting with a concurrent write (409 ConditionalRequestConflict); write the "
                            + "object again", e, true);
                }
                if (status == 501 && useHeader) {
                    throw new StorageException(operation + " of '" + key + "' in " + description + " was refused "
                            + "with HTTP 501: the store does not support If-None-Match; set "
                            + StorageConfigKeys.S3_CONDITIONAL_WRITES + "=auto or disabled", e, false);
                }
                throw S3Failures.translate(description, operation, key, e);
            } catch (SdkException e) {
                throw S3Failures.translate(description, operation, key, e);
            }
        }
    }

    private InputStream get(String key, String range) {
        String fullKey = fullKey(key);
        try {
            return new S3ObjectStream(s3.getObject(b -> sse.applyTo(b.bucket(bucket).key(fullKey).range(range))));
        } catch (SdkException e) {
            throw S3Failures.translate(description, range == null ? "GetObject" : "GetObject " + range, key, e);
        }
    }

    private String fullKey(String key) {
        checkKey(key);
        return prefix + key;
    }

    private void checkKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/")) {
            throw new StorageException("Invalid object key '" + key + "' for " + description
                    + ": keys are non-empty relative paths", null, false);
        }
    }

    private static String unquote(String eTag) {
        if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
            return eTag.substring(1, eTag.length() - 1);
        }
        return eTag;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while retrying a conditional write", e, false);
        }
    }

    /** Lists one ListObjectsV2 page at a time, as the caller advances. */
    @Override
    public List<String> listFolders(String keyPrefix) {
        // "" is the store's root: its folders are the backups
        String folder = keyPrefix.isEmpty() || keyPrefix.endsWith("/") ? keyPrefix : keyPrefix + "/";
        List<String> names = new java.util.ArrayList<>();
        String token = null;
        try {
            do {
                String continuation = token;
                ListObjectsV2Response response = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + folder)
                        .delimiter("/").continuationToken(continuation).maxKeys(listPageSize));
                response.commonPrefixes().forEach(common -> {
                    String name = common.prefix().substring(prefix.length() + folder.length());
                    names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                });
                token = Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw S3Failures.translate(description, "ListObjectsV2", "folders of '" + folder + "'", e);
        }
        names.sort(String::compareTo);
        return names;
    }

    private final class Listing implements Iterator<ObjectInfo> {
        private final String keyPrefix;
        private final String startAfter;
        private String continuationToken;
        private boolean lastPage;
        private Iterator<S3Object> page = Collections.emptyIterator();
        private ObjectInfo next;

        Listing(String keyPrefix, String startAfter) {
            this.keyPrefix = keyPrefix;
            this.startAfter = startAfter;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                if (page.hasNext()) {
                    S3Object object = page.next();
                    String key = object.key().substring(prefix.length());
                    if (!key.isEmpty() && !key.endsWith("/")) { // folder markers are not objects here
                        next = new ObjectInfo(key, object.size(), object.lastModified().toEpochMilli(),
                                unquote(object.eTag()));
                    }
                } else if (lastPage) {
                    return false;
                } else {
                    fetchPage();
                }
            }
            return true;
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

        private void fetchPage() {
            try {
                ListObjectsV2Response response = s3.listObjectsV2(b -> b.bucket(bucket)
                        .prefix(prefix + keyPrefix)
                        .startAfter(startAfter == null ? null : prefix + startAfter)
                        .continuationToken(continuationToken)
                        .maxKeys(listPageSize));
                page = response.contents().iterator();
                continuationToken = response.nextContinuationToken();
                lastPage = !Boolean.TRUE.equals(response.isTruncated()) || continuationToken == null;
            } catch (SdkException e) {
                throw S3Failures.translate(description, "ListObjectsV2", "prefix '" + keyPrefix + "'", e);
            }
        }
    }
}
