package dev.kbackup.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.config.types.Password;

import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * How the S3 store encrypts the objects it writes: SSE-S3 ({@code AES256}), SSE-KMS ({@code aws:kms}, with an
 * optional key id) or SSE-C (a 256-bit key the user holds, sent with every write and every read of the object). The
 * {@code applyTo} methods add the matching request headers; the store calls them on every request that needs them.
 *
 * @param customerKey null unless SSE-C is configured; base64 of 32 bytes (see {@link #problems()})
 */
public record S3ServerSideEncryption(Mode mode, String kmsKeyId, Password customerKey) {

    public static final S3ServerSideEncryption NONE = new S3ServerSideEncryption(Mode.NONE, null, null);

    /** The values of {@code s3.sse}, spelled as S3's x-amz-server-side-encryption header spells them. */
    public enum Mode {
        NONE("none"), AES256("AES256"), AWS_KMS("aws:kms");

        private final String configValue;

        Mode(String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }

        public static Mode fromConfig(String value) {
            String text = value == null ? "" : value.trim();
            for (Mode mode : values()) {
                if (mode.configValue.equalsIgnoreCase(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("Unknown " + StorageConfigKeys.S3_SSE + " '" + value + "'");
        }

        static List<String> configValues() {
            return List.of(NONE.configValue, AES256.configValue, AWS_KMS.configValue);
        }
    }

    private static final String CUSTOMER_ALGORITHM = "AES256";
    private static final int CUSTOMER_KEY_BYTES = 32;

    public S3ServerSideEncryption {
        if (mode == null) {
            mode = Mode.NONE;
        }
    }

    public boolean usesCustomerKey() {
        return customerKey != null;
    }

    /** Wrong combinations and malformed keys, each on the field to change; empty if usable. */
    public List<ConfigProblem> problems() {
        List<ConfigProblem> problems = new ArrayList<>();
        if (kmsKeyId != null && mode != Mode.AWS_KMS) {
            problems.add(new ConfigProblem(StorageConfigKeys.S3_SSE_KMS_KEY_ID, StorageConfigKeys.S3_SSE_KMS_KEY_ID
                    + " is set but " + StorageConfigKeys.S3_SSE + " is '" + mode.configValue() + "': set "
                    + StorageConfigKeys.S3_SSE + "=aws:kms to encrypt with that KMS key, or remove the key id"));
        }
        if (customerKey != null) {
            if (mode != Mode.NONE) {
                problems.add(new ConfigProblem(StorageConfigKeys.S3_SSE_CUSTOMER_KEY, "S3 takes either "
                        + StorageConfigKeys.S3_SSE + " or a customer key (SSE-C), not both: set "
                        + StorageConfigKeys.S3_SSE + "=none to use " + StorageConfigKeys.S3_SSE_CUSTOMER_KEY
                        + ", or remove the customer key"));
            }
            customerKeyProblem().ifPresent(message ->
                    problems.add(new ConfigProblem(StorageConfigKeys.S3_SSE_CUSTOMER_KEY, message)));
        }
        return problems;
    }

    /** What the settings do, without the customer key. */
    public String describe() {
        if (customerKey != null) {
            return "SSE-C";
        }
        return switch (mode) {
            case NONE -> "none";
            case AES256 -> "SSE-S3 (AES256)";
            case AWS_KMS -> "SSE-KMS" + (kmsKeyId == null ? " (default key)" : " (key " + kmsKeyId + ")");
        };
    }

    @Override
    public String toString() {
        return "S3ServerSideEncryption{" + describe() + "}";
    }

    // ---- request headers: writes carry the mode, every request on an SSE-C object carries the customer key ----

    PutObjectRequest.Builder applyTo(PutObjectRequest.Builder request) {
        if (customerKey != null) {
            return request.sseCustomerAlgorithm(CUSTOMER_ALGORITHM).sseCustomerKey(customerKey.value())
                    .sseCustomerKeyMD5(customerKeyMd5());
        }
        return mode == Mode.NONE ? request
                : request.serverSideEncryption(mode.configValue()).ssekmsKeyId(kmsKeyIdForWrite());
    }

    CreateMultipartUploadRequest.Builder applyTo(CreateMultipartUploadRequest.Builder request) {
        if (customerKey != null) {
            return request.sseCustomerAlgorithm(CUSTOMER_ALGORITHM).sseCustomerKey(customerKey.value())
                    .sseCustomerKeyMD5(customerKeyMd5());
        }
        return mode == Mode.NONE ? request
                : request.serverSideEncryption(mode.configValue()).ssekmsKeyId(kmsKeyIdForWrite());
    }

    UploadPartRequest.Builder applyTo(UploadPartRequest.Builder request) {
        return customerKey == null ? request : request.sseCustomerAlgorithm(CUSTOMER_ALGORITHM)
                .sseCustomerKey(customerKey.value()).sseCustomerKeyMD5(customerKeyMd5());
    }

    // AWS requires the customer key on completion when the upload declared a checksum algorithm, as ours do.
    CompleteMultipartUploadRequest.Builder applyTo(CompleteMultipartUploadRequest.Builder request) {
        return customerKey == null ? request : request.sseCustomerAlgorithm(CUSTOMER_ALGORITHM)
                .sseCustomerKey(customerKey.value()).sseCustomerKeyMD5(customerKeyMd5());
    }

    GetObjectRequest.Builder applyTo(GetObjectRequest.Builder request) {
        return customerKey == null ? request : request.sseCustomerAlgorithm(CUSTOMER_ALGORITHM)
                .sseCustomerKey(customerKey.value()).sseCustomerKeyMD5(customerKeyMd5());
    }

    HeadObjectRequest.Builder applyTo(HeadObjectRequest.Builder request) {
        return customerKey == null ? request : request.sseCustomerAlgorithm(CUSTOMER_ALGORITHM)
                .sseCustomerKey(customerKey.value()).sseCustomerKeyMD5(customerKeyMd5());
    }

    private String kmsKeyIdForWrite() {
        return mode == Mode.AWS_KMS ? kmsKeyId : null;
    }

    private String customerKeyMd5() {
        try {
            byte[] key = Base64.getDecoder().decode(customerKey.value().trim());
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(key));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no MD5, which every Java platform must provide", e);
        }
    }

    private Optional<String> customerKeyProblem() {
        String text = customerKey.value().trim();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return Optional.of(StorageConfigKeys.S3_SSE_CUSTOMER_KEY + " is not valid base64: give the base64 of a 256-bit key, for example "
                    + "the output of 'openssl rand -base64 32'");
        }
        if (key.length != CUSTOMER_KEY_BYTES) {
            return Optional.of(StorageConfigKeys.S3_SSE_CUSTOMER_KEY + " decodes to " + key.length
                    + " bytes; SSE-C needs a 256-bit key (32 bytes, 44 base64 characters), for example the output "
                    + "of 'openssl rand -base64 32'");
        }
        return Optional.empty();
    }
}
