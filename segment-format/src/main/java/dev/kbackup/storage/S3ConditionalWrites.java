package dev.kbackup.storage;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Decides, once per store, whether each kind of create-only write can rely on {@code If-None-Match: *} or must check
 * with HEAD first. PutObject and CompleteMultipartUpload are decided apart: a store may honour the header on one and
 * ignore it on the other, and large segments are made visible by the second. In {@link ConditionalWriteMode#AUTO}
 * the answer comes from a tiny probe object: written twice with PutObject, then completed over once more with a
 * one-part multipart upload.
 */
final class S3ConditionalWrites {

    static final String PROBE_NAME_PREFIX = "_kbackup-conditional-probe-";

    private static final Logger log = LoggerFactory.getLogger(S3ConditionalWrites.class);

    /** The requests that make an object visible. */
    enum Write { PUT_OBJECT, COMPLETE_MULTIPART_UPLOAD }

    /** Whether the store refuses an existing key when each write sends {@code If-None-Match: *}. */
    record Decision(boolean onPutObject, boolean onCompleteMultipartUpload) {
        boolean enforced(Write write) {
            return write == Write.PUT_OBJECT ? onPutObject : onCompleteMultipartUpload;
        }
    }

    private final ConditionalWriteMode mode;
    private final S3Client s3;
    private final String bucket;
    private final String store;
    private final S3ServerSideEncryption sse; // a bucket policy may refuse unencrypted writes, probes included
    private Decision decision; // null until decided; guarded by this

    S3ConditionalWrites(ConditionalWriteMode mode, S3Client s3, String bucket, String store,
                        S3ServerSideEncryption sse) {
        this.mode = mode;
        this.sse = sse;
        this.s3 = s3;
        this.bucket = bucket;
        this.store = store;
    }

    /**
     * True if a create-only {@code write} should send {@code If-None-Match: *}, false if it must check with HEAD
     * instead. The first call in auto mode probes next to {@code fullKey} (its bucket key, prefix included).
     */
    synchronized boolean headerEnforced(String fullKey, Write write) {
        if (decision == null) {
            decision = switch (mode) {
                case ENABLED -> new Decision(true, true);
                case DISABLED -> new Decision(false, false);
                case AUTO -> probe(fullKey);
            };
            log.info("{}: create-only PutObject {}; create-only CompleteMultipartUpload {} ({}={})", store,
                    describe(decision.onPutObject()), describe(decision.onCompleteMultipartUpload()),
                    StorageConfigKeys.S3_CONDITIONAL_WRITES, mode.configValue());
        }
        return decision.enforced(write);
    }

    /** For tests: the decision, or null if no create-only write happened yet. */
    synchronized Decision decision() {
        return decision;
    }

    private static String describe(boolean enforced) {
        return enforced ? "sends If-None-Match: * and relies on the store to refuse an existing key"
                : "checks with HEAD first (not atomic if two writers race on one key)";
    }

    private Decision probe(String fullKey) {
        int slash = fullKey.lastIndexOf('/');
        String probeKey = fullKey.substring(0, slash + 1) + PROBE_NAME_PREFIX + UUID.randomUUID();
        ProbeWrite first = putIfAbsent(probeKey);
        try {
            if (first != ProbeWrite.WRITTEN) {
                log.info("{}: the first write of the new probe object {} was answered {}; not relying on "
                        + "If-None-Match", store, probeKey, first);
                return new Decision(false, false);
            }
            ProbeWrite second = putIfAbsent(probeKey);
            if (second != ProbeWrite.REFUSED) {
                log.info("{}: the store does not enforce If-None-Match: * on PutObject (a second create-only write "
                        + "of {} was answered {})", store, probeKey, second);
                return new Decision(false, false);
            }
            ProbeWrite completion = completeIfAbsent(probeKey);
            if (completion != ProbeWrite.REFUSED) {
                log.warn("{}: the store enforces If-None-Match: * on PutObject but not on CompleteMultipartUpload "
                        + "(completing over {} was answered {}); large segments are checked with HEAD before "
                        + "completing", store, probeKey, completion);
            }
            return new Decision(true, completion == ProbeWrite.REFUSED);
        } finally {
            if (first == ProbeWrite.WRITTEN) {
                deleteQuietly(probeKey);
            }
        }
    }

    private enum ProbeWrite { WRITTEN, REFUSED, UNSUPPORTED }

    private ProbeWrite putIfAbsent(String probeKey) {
        try {
            s3.putObject(b -> sse.applyTo(b.bucket(bucket).key(probeKey).ifNoneMatch("*")), RequestBody.fromBytes(new byte[] {1}));
            return ProbeWrite.WRITTEN;
        } catch (S3Exception e) {
            return refusal(e, "PutObject", probeKey);
        } catch (SdkException e) {
            throw S3Failures.translate(store, "PutObject (conditional write probe)", probeKey, e);
        }
    }

    /** Completes a one-part multipart upload over the existing probe object, as a large segment's upload ends. */
    private ProbeWrite completeIfAbsent(String probeKey) {
        String operation = "multipart upload (conditional write probe)";
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> sse.applyTo(b.bucket(bucket).key(probeKey)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32))).uploadId();
        } catch (SdkException e) {
            throw S3Failures.translate(store, "CreateMultipartUpload (conditional write probe)", probeKey, e);
        }
        boolean completed = false;
        try {
            UploadPartResponse part = s3.uploadPart(b -> sse.applyTo(b.bucket(bucket).key(probeKey).uploadId(uploadId)
                    .partNumber(1).contentLength(1L).checksumAlgorithm(ChecksumAlgorithm.CRC32)),
                    RequestBody.fromBytes(new byte[] {2}));
            CompletedPart completedPart = CompletedPart.builder().partNumber(1).eTag(part.eTag())
                    .checksumCRC32(part.checksumCRC32()).build();
            s3.completeMultipartUpload(b -> sse.applyTo(b.bucket(bucket).key(probeKey).uploadId(uploadId)
                    .ifNoneMatch("*").multipartUpload(m -> m.parts(completedPart))));
            completed = true;
            return ProbeWrite.WRITTEN;
        } catch (S3Exception e) {
            return refusal(e, "CompleteMultipartUpload", probeKey);
        } catch (SdkException e) {
            throw S3Failures.translate(store, operation, probeKey, e);
        } finally {
            if (!completed) {
                abortQuietly(probeKey, uploadId);
            }
        }
    }

    /** 412 is a refusal; 501 or 400 mean the header is not supported; anything else is a storage failure. */
    private ProbeWrite refusal(S3Exception e, String operation, String probeKey) {
        if (e.statusCode() == 412) {
            return ProbeWrite.REFUSED;
        }
        if (e.statusCode() == 501 || e.statusCode() == 400) {
            log.info("{} answered HTTP {} {} to a {} with If-None-Match: *; it does not support conditional writes "
                    + "there", store, e.statusCode(), S3Failures.errorCode(e), operation);
            return ProbeWrite.UNSUPPORTED;
        }
        throw S3Failures.translate(store, operation + " (conditional write probe)", probeKey, e);
    }

    private void abortQuietly(String probeKey, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(probeKey).uploadId(uploadId));
        } catch (SdkException e) {
            log.warn("{}: could not abort the probe's multipart upload {} of {}; an AbortIncompleteMultipartUpload "
                    + "lifecycle rule removes it: {}", store, uploadId, probeKey, e.getMessage());
        }
    }

    private void deleteQuietly(String probeKey) {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(probeKey));
        } catch (SdkException e) {
            log.warn("{}: could not delete the probe object {}; delete it by hand: {}", store, probeKey,
                    e.getMessage());
        }
    }
}
