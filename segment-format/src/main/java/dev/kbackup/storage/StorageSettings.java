package dev.kbackup.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The typed storage settings of a connector (see {@link StorageConfigKeys} for their meaning). Values are as configured
 * except {@link #prefix()}, which is empty or ends with '/'. {@link #toString()} never shows the credentials.
 *
 * @param region null: the SDK's default region chain, then {@value StorageConfigKeys#FALLBACK_REGION}
 * @param endpoint null: AWS S3
 * @param accessKeyId null unless static credentials are configured
 * @param secretAccessKey null unless static credentials are configured
 * @param filesystemPath the configured root directory, unchecked (see {@link #problems()})
 * @param serverSideEncryption what S3 is asked to encrypt objects with; unchecked (see {@link #problems()})
 * @param trustStore the CAs an https endpoint is checked against; {@link S3TrustStore#JVM_DEFAULT} for the JVM's own
 */
public record StorageSettings(
        StorageType type,
        String prefix,
        String bucket,
        String region,
        String endpoint,
        boolean pathStyleAccess,
        Password accessKeyId,
        Password secretAccessKey,
        int partSizeBytes,
        ConditionalWriteMode conditionalWrites,
        int retryMaxAttempts,
        Duration retryBaseDelay,
        Duration retryMaxBackoff,
        Duration apiCallTimeout,
        String filesystemPath,
        S3ServerSideEncryption serverSideEncryption,
        S3TrustStore trustStore) {

    public StorageSettings {
        Objects.requireNonNull(serverSideEncryption, "serverSideEncryption");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(conditionalWrites, "conditionalWrites");
        Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
        Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
        Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
        trustStore = trustStore == null ? S3TrustStore.JVM_DEFAULT : trustStore;
        prefix = normalizePrefix(prefix);
    }

    /** The heap one upload buffers per part: the part size for S3; 0 for the filesystem, which streams. */
    public long uploadPartBytes() {
        return type == StorageType.S3 ? partSizeBytes : 0;
    }

    /** Reads the settings from a config whose definition includes {@link StorageConfigKeys#define(ConfigDef)}. */
    public static StorageSettings from(AbstractConfig config) {
        return new StorageSettings(
                StorageType.fromConfig(config.getString(StorageConfigKeys.STORAGE_TYPE)),
                config.getString(StorageConfigKeys.STORAGE_PREFIX),
                blankToNull(config.getString(StorageConfigKeys.S3_BUCKET)),
                blankToNull(config.getString(StorageConfigKeys.S3_REGION)),
                blankToNull(config.getString(StorageConfigKeys.S3_ENDPOINT)),
                config.getBoolean(StorageConfigKeys.S3_PATH_STYLE_ACCESS),
                blankToNull(config.getPassword(StorageConfigKeys.S3_ACCESS_KEY_ID)),
                blankToNull(config.getPassword(StorageConfigKeys.S3_SECRET_ACCESS_KEY)),
                config.getInt(StorageConfigKeys.S3_PART_SIZE_BYTES),
                ConditionalWriteMode.fromConfig(config.getString(StorageConfigKeys.S3_CONDITIONAL_WRITES)),
                config.getInt(StorageConfigKeys.S3_RETRY_MAX_ATTEMPTS),
                Duration.ofMillis(config.getLong(StorageConfigKeys.S3_RETRY_BASE_DELAY_MS)),
                Duration.ofMillis(config.getLong(StorageConfigKeys.S3_RETRY_MAX_BACKOFF_MS)),
                Duration.ofMillis(config.getLong(StorageConfigKeys.S3_API_CALL_TIMEOUT_MS)),
                blankToNull(config.getString(StorageConfigKeys.FILESYSTEM_PATH)),
                new S3ServerSideEncryption(
                        S3ServerSideEncryption.Mode.fromConfig(config.getString(StorageConfigKeys.S3_SSE)),
                        blankToNull(config.getString(StorageConfigKeys.S3_SSE_KMS_KEY_ID)),
                        blankToNull(config.getPassword(StorageConfigKeys.S3_SSE_CUSTOMER_KEY))),
                new S3TrustStore(blankToNull(config.getString(StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION)),
                        blankToNull(config.getPassword(StorageConfigKeys.S3_SSL_TRUSTSTORE_PASSWORD)),
                        config.getString(StorageConfigKeys.S3_SSL_TRUSTSTORE_TYPE)));
    }

    /** Parses raw connector properties that contain (at least) the storage settings; unknown keys are ignored. */
    public static StorageSettings parse(Map<String, ?> properties) {
        return from(new AbstractConfig(StorageConfigKeys.define(new ConfigDef()), properties, false));
    }

    /** True if both parts of a static key pair are set; otherwise the SDK's default credential chain is used. */
    public boolean hasStaticCredentials() {
        return accessKeyId != null && secretAccessKey != null;
    }

    /**
     * Problems that need more than one field or a look at the environment to see: a missing bucket or root
     * directory, half a key pair, a relative path. Empty if the settings are usable.
     */
    public List<ConfigProblem> problems() {
        List<ConfigProblem> problems = new ArrayList<>();
        checkPrefix(problems);
        if (type == StorageType.S3) {
            checkS3(problems);
        } else {
            checkFilesystem(problems);
        }
        return problems;
    }

    private void checkPrefix(List<ConfigProblem> problems) {
        if (prefix.isEmpty()) {
            return;
        }
        String reason = null;
        if (prefix.startsWith("/")) {
            reason = "must not start with '/'";
        } else if (prefix.indexOf('\\') >= 0 || prefix.indexOf('\0') >= 0) {
            reason = "must not contain '\\' or NUL characters";
        } else {
            for (String element : prefix.substring(0, prefix.length() - 1).split("/", -1)) {
                if (element.isEmpty() || element.equals(".") || element.equals("..")) {
                    reason = "must not contain empty, '.' or '..' path elements";
                    break;
                }
            }
        }
        if (reason != null) {
            problems.add(new ConfigProblem(StorageConfigKeys.STORAGE_PREFIX, "The key prefix '" + prefix + "' " + reason
                    + "; use a relative '/'-separated path such as 'prod/kafka-backups'"));
        }
    }

    private void checkS3(List<ConfigProblem> problems) {
        if (bucket == null) {
            problems.add(new ConfigProblem(StorageConfigKeys.S3_BUCKET, "Set " + StorageConfigKeys.S3_BUCKET
                    + " to the name of the bucket that holds the backups; it is required when "
                    + StorageConfigKeys.STORAGE_TYPE + "=s3"));
        } else if (bucket.contains("/") || bucket.contains(":") || bucket.chars().anyMatch(Character::isWhitespace)) {
            problems.add(new ConfigProblem(StorageConfigKeys.S3_BUCKET, "'" + bucket + "' is not a bucket name: "
                    + "give just the name (e.g. 'my-backups'), not an s3:// URL or a path; put a key prefix into "
                    + StorageConfigKeys.STORAGE_PREFIX));
        }
        if (accessKeyId != null && secretAccessKey == null) {
            problems.add(new ConfigProblem(StorageConfigKeys.S3_SECRET_ACCESS_KEY, StorageConfigKeys.S3_ACCESS_KEY_ID
                    + " is set but " + StorageConfigKeys.S3_SECRET_ACCESS_KEY
                    + " is not: set both for static credentials, or neither to use the AWS default credential chain"));
        } else if (accessKeyId == null && secretAccessKey != null) {
            problems.add(new ConfigProblem(StorageConfigKeys.S3_ACCESS_KEY_ID, StorageConfigKeys.S3_SECRET_ACCESS_KEY
                    + " is set but " + StorageConfigKeys.S3_ACCESS_KEY_ID + " is not: set both for static credentials,"
                    + " or neither to use the AWS default credential chain"));
        }
        if (endpoint != null) {
            endpointProblem().ifPresent(message ->
                    problems.add(new ConfigProblem(StorageConfigKeys.S3_ENDPOINT, message)));
        }
        trustStore.problem().ifPresent(problems::add);
        if (region != null && region.chars().anyMatch(Character::isWhitespace)) {
            problems.add(new ConfigProblem(StorageConfigKeys.S3_REGION, "'" + region + "' is not a region name such as "
                    + "'eu-west-1'"));
        }
        if (retryMaxBackoff.compareTo(retryBaseDelay) < 0) {
            problems.add(new ConfigProblem(StorageConfigKeys.S3_RETRY_MAX_BACKOFF_MS,
                    StorageConfigKeys.S3_RETRY_MAX_BACKOFF_MS + " (" + retryMaxBackoff.toMillis()
                    + ") must not be smaller than "
                    + StorageConfigKeys.S3_RETRY_BASE_DELAY_MS + " (" + retryBaseDelay.toMillis() + ")"));
        }
        problems.addAll(serverSideEncryption.problems());
    }

    private Optional<String> endpointProblem() {
        String example = "; expected a URL such as 'http://minio:9000' or 'https://s3.example.com'";
        try {
            URI uri = new URI(endpoint);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                return Optional.of("The endpoint '" + endpoint + "' must start with http:// or https://"
                        + example);
            }
            if (uri.getHost() == null) {
                return Optional.of("The endpoint '" + endpoint + "' has no host name" + example);
            }
            if (uri.getQuery() != null || uri.getFragment() != null) {
                return Optional.of("The endpoint '" + endpoint + "' must not have a query or fragment"
                        + example);
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("The endpoint '" + endpoint + "' is not a valid URL (" + e.getReason() + ")"
                    + example);
        }
    }

    private void checkFilesystem(List<ConfigProblem> problems) {
        if (filesystemPath == null) {
            problems.add(new ConfigProblem(StorageConfigKeys.FILESYSTEM_PATH, "Set " + StorageConfigKeys.FILESYSTEM_PATH
                    + " to the absolute path of the backup root directory; it is required when "
                    + StorageConfigKeys.STORAGE_TYPE + "=filesystem"));
            return;
        }
        Path path;
        try {
            path = Path.of(filesystemPath);
        } catch (InvalidPathException e) {
            problems.add(new ConfigProblem(StorageConfigKeys.FILESYSTEM_PATH, "'" + filesystemPath
                    + "' is not a valid path: " + e.getReason()));
            return;
        }
        if (!path.isAbsolute()) {
            problems.add(new ConfigProblem(StorageConfigKeys.FILESYSTEM_PATH, "'" + filesystemPath + "' is a relative "
                    + "path; give an absolute one (e.g. '/var/lib/kafka-backups'), since each Connect worker would "
                    + "resolve it against its own working directory"));
        } else if (!path.normalize().equals(path)) {
            problems.add(new ConfigProblem(StorageConfigKeys.FILESYSTEM_PATH, "'" + filesystemPath + "' contains '.' "
                    + "or '..' elements; write it as '" + path.normalize() + "'"));
        } else if (Files.exists(path) && !Files.isDirectory(path)) {
            problems.add(new ConfigProblem(StorageConfigKeys.FILESYSTEM_PATH, "'" + filesystemPath + "' exists but is "
                    + "not a directory"));
        }
    }

    /** The root directory of a filesystem store, with {@link #prefix()} applied. */
    public Path filesystemRoot() {
        Path root = Path.of(filesystemPath);
        return prefix.isEmpty() ? root : root.resolve(prefix.substring(0, prefix.length() - 1));
    }

    /** Where the settings point, e.g. {@code s3://bucket/prefix/} or {@code file:///data/backups/}. */
    public String location() {
        if (type == StorageType.S3) {
            return "s3://" + bucket + "/" + prefix;
        }
        return filesystemPath == null ? "file:(no path)" : Path.of(filesystemPath).toUri() + prefix;
    }

    @Override
    public String toString() {
        if (type == StorageType.FILESYSTEM) {
            return "StorageSettings{type=filesystem, prefix='" + prefix + "', path=" + filesystemPath + "}";
        }
        return "StorageSettings{type=s3, prefix='" + prefix + "', bucket=" + bucket
                + ", region=" + (region == null ? "(default chain)" : region)
                + ", endpoint=" + (endpoint == null ? "(AWS)" : endpoint)
                + ", pathStyleAccess=" + pathStyleAccess
                + ", credentials=" + (hasStaticCredentials() ? "static key pair" : "default chain")
                + ", partSizeBytes=" + partSizeBytes
                + ", conditionalWrites=" + conditionalWrites.configValue()
                + ", retry=" + retryMaxAttempts + " attempts, " + retryBaseDelay.toMillis() + ".."
                + retryMaxBackoff.toMillis() + " ms"
                + ", apiCallTimeout=" + apiCallTimeout.toMillis() + " ms"
                + ", serverSideEncryption=" + serverSideEncryption.describe()
                + ", tls=" + trustStore + "}";
    }

    private static String normalizePrefix(String prefix) {
        String trimmed = prefix == null ? "" : prefix.trim();
        return trimmed.isEmpty() || trimmed.endsWith("/") ? trimmed : trimmed + "/";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    // An empty value counts as unset, so "s3.access.key.id=" falls back to the default chain.
    private static Password blankToNull(Password value) {
        return value == null || value.value() == null || value.value().isEmpty() ? null : value;
    }
}
