package dev.kbackup.storage;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Decides, once per store, whether a create-only write can rely on {@code If-None-Match: *} or must check with HEAD
 * first. In {@link ConditionalWriteMode#AUTO} it learns the answer by writing a tiny probe object twice.
 */
final class S3ConditionalWrites {

    static final String PROBE_NAME_PREFIX = "_kbackup-conditional-probe-";

    private static final Logger log = LoggerFactory.getLogger(S3ConditionalWrites.class);

    private final ConditionalWriteMode mode;
    private final S3Client s3;
    private final String bucket;
    private final String store;
    private Boolean headerEnforced; // null until decided; guarded by this

    S3ConditionalWrites(ConditionalWriteMode mode, S3Client s3, String bucket, String store) {
        this.mode = mode;
        this.s3 = s3;
        this.bucket = bucket;
        this.store = store;
    }

    /**
     * True if create-only writes should send {@code If-None-Match: *}, false if they must check with HEAD instead.
     * The first call in auto mode probes next to {@code fullKey} (its bucket key, prefix included).
     */
    synchronized boolean headerEnforced(String fullKey) {
        if (headerEnforced == null) {
            headerEnforced = switch (mode) {
                case ENABLED -> true;
                case DISABLED -> false;
                case AUTO -> probe(fullKey);
            };
            log.info("{}: create-only writes {} ({}={})", store, headerEnforced
                            ? "send If-None-Match: * and rely on the store to refuse existing keys"
                            : "check with HEAD before writing (not atomic if two writers race on one key)",
                    StorageConfig.S3_CONDITIONAL_WRITES, mode.configValue());
        }
        return headerEnforced;
    }

    /** For tests: the decision, or null if no create-only write happened yet. */
    synchronized Boolean decision() {
        return headerEnforced;
    }

    private boolean probe(String fullKey) {
        int slash = fullKey.lastIndexOf('/');
        String probeKey = fullKey.substring(0, slash + 1) + PROBE_NAME_PREFIX + UUID.randomUUID();
        ProbeWrite first = putIfAbsent(probeKey);
        try {
            if (first != ProbeWrite.WRITTEN) {
                log.info("{}: the first write of the new probe object {} was answered {}; not relying on "
                        + "If-None-Match", store, probeKey, first);
                return false;
            }
            ProbeWrite second = putIfAbsent(probeKey);
            if (second == ProbeWrite.WRITTEN) {
                log.info("{}: the store ignores If-None-Match: * (a second create-only write of {} succeeded)",
                        store, probeKey);
            }
            return second == ProbeWrite.REFUSED;
        } finally {
            if (first == ProbeWrite.WRITTEN) {
                deleteQuietly(probeKey);
            }
        }
    }

    private enum ProbeWrite { WRITTEN, REFUSED, UNSUPPORTED }

    private ProbeWrite putIfAbsent(String probeKey) {
        try {
            s3.putObject(b -> b.bucket(bucket).key(probeKey).ifNoneMatch("*"), RequestBody.fromBytes(new byte[] {1}));
            return ProbeWrite.WRITTEN;
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return ProbeWrite.REFUSED;
            }
            if (e.statusCode() == 501 || e.statusCode() == 400) {
                log.info("{} answered HTTP {} {} to a write with If-None-Match: *; it does not support conditional "
                        + "writes", store, e.statusCode(), S3Failures.errorCode(e));
                return ProbeWrite.UNSUPPORTED;
            }
            throw S3Failures.translate(store, "PutObject (conditional write probe)", probeKey, e);
        } catch (SdkException e) {
            throw S3Failures.translate(store, "PutObject (conditional write probe)", probeKey, e);
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
