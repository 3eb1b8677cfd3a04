package dev.kbackup.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * Adds the storage settings' keys to a {@link ConfigDef}: each connector's config class calls
 * {@link #define(ConfigDef)} and reads the values back with {@link StorageSettings#from}. It stays next to
 * {@link StorageSettings} rather than in connector-common because {@link StorageSettings#parse} reads a plain
 * properties map through this definition (the quickstart and tests do, a CLI will); it uses kafka-clients'
 * {@code ConfigDef}, no Connect types.
 */
public final class StorageConfigKeys {

    public static final String GROUP = "Storage";

    public static final String STORAGE_TYPE = "storage.type";
    public static final String STORAGE_PREFIX = "storage.prefix";

    public static final String S3_BUCKET = "s3.bucket";
    public static final String S3_REGION = "s3.region";
    public static final String S3_ENDPOINT = "s3.endpoint";
    public static final String S3_PATH_STYLE_ACCESS = "s3.path.style.access";
    public static final String S3_ACCESS_KEY_ID = "s3.access.key.id";
    public static final String S3_SECRET_ACCESS_KEY = "s3.secret.access.key";
    public static final String S3_PART_SIZE_BYTES = "s3.part.size.bytes";
    public static final String S3_CONDITIONAL_WRITES = "s3.conditional.writes";
    public static final String S3_RETRY_MAX_ATTEMPTS = "s3.retry.max.attempts";
    public static final String S3_RETRY_BASE_DELAY_MS = "s3.retry.base.delay.ms";
    public static final String S3_RETRY_MAX_BACKOFF_MS = "s3.retry.max.backoff.ms";
    public static final String S3_API_CALL_TIMEOUT_MS = "s3.api.call.timeout.ms";
    public static final String S3_SSE = "s3.sse";
    public static final String S3_SSE_KMS_KEY_ID = "s3.sse.kms.key.id";
    public static final String S3_SSE_CUSTOMER_KEY = "s3.sse.customer.key";
    public static final String S3_SSL_TRUSTSTORE_LOCATION = "s3.ssl.truststore.location";
    public static final String S3_SSL_TRUSTSTORE_PASSWORD = "s3.ssl.truststore.password";
    public static final String S3_SSL_TRUSTSTORE_TYPE = "s3.ssl.truststore.type";

    public static final String FILESYSTEM_PATH = "filesystem.path";

    public static final int MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
    public static final int MAX_PART_SIZE_BYTES = 1024 * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
    /** Used when neither {@code s3.region} nor the SDK's region chain (AWS_REGION, profile, IMDS) names one. */
    public static final String FALLBACK_REGION = "us-east-1";

    private static final String STORAGE_TYPE_DOC = "Where backups are stored: 's3' for an S3 bucket on AWS or on an "
            + "S3-compatible store (MinIO, Ceph RGW, SeaweedFS, S3Proxy; see " + S3_ENDPOINT + "), or 'filesystem' "
            + "for a directory on a local or mounted filesystem (see " + FILESYSTEM_PATH + ").";
    private static final String STORAGE_PREFIX_DOC = "Key prefix inside the bucket or below the root directory under "
            + "which all objects of this connector are stored, for example 'prod/kafka-backups'. Use the same value "
            + "for the backup and the restore connector. Empty means the top level of the bucket or directory. "
            + "Must not start with '/'; a trailing '/' is added if missing.";
    private static final String S3_BUCKET_DOC = "Name of the S3 bucket that holds the backups (just the name, not an "
            + "s3:// URL). The bucket must exist. Required when " + STORAGE_TYPE + "=s3.";
    private static final String S3_REGION_DOC = "AWS region of the bucket, for example 'eu-west-1'. If empty, the AWS "
            + "SDK's default region chain is used (AWS_REGION environment variable, aws.region system property, "
            + "profile file, EC2/ECS instance metadata), and '" + FALLBACK_REGION + "' if that finds none. With "
            + S3_ENDPOINT + " set, this is only the region used to sign requests.";
    private static final String S3_ENDPOINT_DOC = "Endpoint URL of an S3-compatible store, for example "
            + "'http://minio.storage.svc:9000' (MinIO), 'https://rgw.example.com' (Ceph RGW), "
            + "'http://seaweedfs:8333' (SeaweedFS). Leave empty for AWS S3. Usually combined with "
            + S3_PATH_STYLE_ACCESS + "=true.";
    private static final String S3_PATH_STYLE_DOC = "Address the bucket as a path (http://host/bucket/key) instead of "
            + "a virtual host (http://bucket.host/key). Most self-hosted S3-compatible stores need true.";
    private static final String S3_ACCESS_KEY_ID_DOC = "Access key id for static credentials. Set it together with "
            + S3_SECRET_ACCESS_KEY + "; if either is empty the AWS SDK's default credential chain is used "
            + "(environment variables, system properties, web identity token such as EKS IRSA, profile file, "
            + "ECS/EC2 instance role). Prefer a config provider over a literal value, e.g. "
            + "'${env:AWS_ACCESS_KEY_ID}' or '${file:/etc/kafka/s3.properties:access.key.id}'.";
    private static final String S3_SECRET_ACCESS_KEY_DOC = "Secret access key for static credentials, set together "
            + "with " + S3_ACCESS_KEY_ID + ". It is never logged. Prefer a config provider over a literal value.";
    private static final String S3_PART_SIZE_DOC = "Size of one part of a multipart upload, in bytes (5 MiB to 1 GiB). "
            + "Objects up to this size are sent in a single request. Each upload in progress holds up to two parts in "
            + "memory (one being filled, one being sent), so memory use is about 2 x this value per open segment.";
    private static final String S3_CONDITIONAL_WRITES_DOC = "How writes that must not replace an existing object are "
            + "made safe. 'enabled': send 'If-None-Match: *' and trust the store to refuse an existing key (AWS S3, "
            + "recent MinIO, S3Proxy). 'disabled': check with a HEAD request right before the write; this is not "
            + "atomic if two writers race on one key. 'auto': probe the store once with a small test object next to "
            + "the first such write, written with PutObject and then completed over with a multipart upload, and use "
            + "the header on each of the two kinds of write where the store enforces it, else the HEAD check.";
    private static final String S3_RETRY_MAX_ATTEMPTS_DOC = "Maximum number of attempts of one S3 request, the first "
            + "included. Throttling (503 SlowDown, 429), server errors (5xx) and network errors are retried with "
            + "exponential backoff and jitter; other errors are not.";
    private static final String S3_RETRY_BASE_DELAY_DOC = "Base delay of the exponential backoff between attempts of "
            + "an S3 request, in milliseconds.";
    private static final String S3_RETRY_MAX_BACKOFF_DOC = "Longest delay between two attempts of an S3 request, in "
            + "milliseconds.";
    private static final String S3_API_CALL_TIMEOUT_DOC = "Time limit for one S3 operation including all its retries, "
            + "in milliseconds. Must be long enough to send one part (" + S3_PART_SIZE_BYTES + ") on a slow link.";
    private static final String S3_SSE_DOC = "Server-side encryption S3 applies to every object the connectors "
            + "write (segments, their multipart parts, catalog and manifests): 'none' sends no encryption header and "
            + "leaves it to the bucket's default encryption; 'AES256' asks for SSE-S3 (keys managed by S3); "
            + "'aws:kms' asks for SSE-KMS with the key in " + S3_SSE_KMS_KEY_ID + " or the account's default "
            + "aws/s3 key. For SSE-C leave this at 'none' and set " + S3_SSE_CUSTOMER_KEY + ". Both connectors of "
            + "a backup must use the same settings.";
    private static final String S3_SSE_KMS_KEY_ID_DOC = "KMS key (id, ARN or alias ARN) for " + S3_SSE + "=aws:kms. Empty "
            + "means the account's default aws/s3 key. The connectors' credentials need kms:GenerateDataKey and "
            + "kms:Decrypt on that key (multipart uploads need both, reads need kms:Decrypt).";
    private static final String S3_SSE_CUSTOMER_KEY_DOC = "SSE-C: the base64 of a 256-bit key you hold (for "
            + "example from 'openssl rand -base64 32'); S3 encrypts each object with it and keeps only a hash. It "
            + "is sent with every write and every read of an object (S3 refuses to read an SSE-C object without "
            + "it), so the restore connector needs the same key; AWS accepts SSE-C over https only. Set it when a "
            + "backup starts and keep it: objects written without it, or with another key, cannot be read with "
            + "it, so a new key means a new backup.id. It is "
            + "never logged; prefer a config provider, e.g. '${file:/etc/kbackup/s3.properties:sse.customer.key}'. "
            + "Requires " + S3_SSE + "=none.";
    private static final String S3_SSL_TRUSTSTORE_LOCATION_DOC = "Trust store file with the certificate authorities "
            + "to trust for an https " + S3_ENDPOINT + ", for a store whose certificate is signed by a private CA. If "
            + "empty, the JVM's trust store is used (the JDK's cacerts, or the file named by the worker's "
            + "javax.net.ssl.trustStore system property), which trusts the public CAs of AWS S3. The file must exist "
            + "on every Connect worker. Setting it replaces the JVM's trust store for S3 requests; it does not add "
            + "to it.";
    private static final String S3_SSL_TRUSTSTORE_PASSWORD_DOC = "Password of " + S3_SSL_TRUSTSTORE_LOCATION
            + ", if it has one. It is never logged. Prefer a config provider over a literal value.";
    private static final String S3_SSL_TRUSTSTORE_TYPE_DOC = "Format of " + S3_SSL_TRUSTSTORE_LOCATION
            + ": 'JKS' (the default, as for Kafka's own ssl.truststore.type; the JDK also reads PKCS12 files "
            + "through it) or 'PKCS12'.";
    private static final String FILESYSTEM_PATH_DOC = "Absolute path of the root directory of the backups when "
            + STORAGE_TYPE + "=filesystem, for example '/var/lib/kafka-backups' or an NFS mount. It is created if "
            + "missing. Every Connect worker running a task must see the same directory at this path.";

    private StorageConfigKeys() {
    }

    /** Adds the storage settings to {@code def}, in group {@value #GROUP}, and returns it. */
    public static ConfigDef define(ConfigDef def) {
        int order = 0;
        ConfigDef.Recommender onlyForS3 = new VisibleFor(StorageType.S3);
        ConfigDef.Recommender onlyForFilesystem = new VisibleFor(StorageType.FILESYSTEM);
        List<String> s3Keys = List.of(S3_BUCKET, S3_REGION, S3_ENDPOINT, S3_PATH_STYLE_ACCESS, S3_ACCESS_KEY_ID,
                S3_SECRET_ACCESS_KEY, S3_PART_SIZE_BYTES, S3_CONDITIONAL_WRITES, S3_RETRY_MAX_ATTEMPTS,
                S3_RETRY_BASE_DELAY_MS, S3_RETRY_MAX_BACKOFF_MS, S3_API_CALL_TIMEOUT_MS, S3_SSE, S3_SSE_KMS_KEY_ID,
                S3_SSE_CUSTOMER_KEY, S3_SSL_TRUSTSTORE_LOCATION, S3_SSL_TRUSTSTORE_PASSWORD, S3_SSL_TRUSTSTORE_TYPE);
        List<String> dependents = new ArrayList<>(s3Keys);
        dependents.add(FILESYSTEM_PATH);

        def.define(STORAGE_TYPE, Type.STRING, StorageType.S3.configValue(), new OneOf(StorageType.values()),
                Importance.HIGH, STORAGE_TYPE_DOC, GROUP, ++order, Width.SHORT, "Storage type", dependents);
        def.define(STORAGE_PREFIX, Type.STRING, "", Importance.MEDIUM, STORAGE_PREFIX_DOC, GROUP, ++order,
                Width.MEDIUM, "Key prefix");

        def.define(S3_BUCKET, Type.STRING, null, Importance.HIGH, S3_BUCKET_DOC, GROUP, ++order, Width.MEDIUM,
                "S3 bucket", onlyForS3);
        def.define(S3_REGION, Type.STRING, null, Importance.MEDIUM, S3_REGION_DOC, GROUP, ++order, Width.SHORT,
                "S3 region", onlyForS3);
        def.define(S3_ENDPOINT, Type.STRING, null, Importance.MEDIUM, S3_ENDPOINT_DOC, GROUP, ++order, Width.LONG,
                "S3 endpoint override", onlyForS3);
        def.define(S3_PATH_STYLE_ACCESS, Type.BOOLEAN, false, Importance.LOW, S3_PATH_STYLE_DOC, GROUP, ++order,
                Width.SHORT, "S3 path-style access", onlyForS3);
        def.define(S3_ACCESS_KEY_ID, Type.PASSWORD, null, Importance.MEDIUM, S3_ACCESS_KEY_ID_DOC, GROUP, ++order,
                Width.MEDIUM, "S3 access key id", onlyForS3);
        def.define(S3_SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.MEDIUM, S3_SECRET_ACCESS_KEY_DOC, GROUP,
                ++order, Width.MEDIUM, "S3 secret access key", onlyForS3);
        def.define(S3_PART_SIZE_BYTES, Type.INT, DEFAULT_PART_SIZE_BYTES,
                Range.between(MIN_PART_SIZE_BYTES, MAX_PART_SIZE_BYTES), Importance.LOW, S3_PART_SIZE_DOC, GROUP,
                ++order, Width.SHORT, "S3 multipart part size", List.of(), onlyForS3);
        def.define(S3_CONDITIONAL_WRITES, Type.STRING, ConditionalWriteMode.AUTO.configValue(),
                new OneOf(ConditionalWriteMode.values()), Importance.LOW, S3_CONDITIONAL_WRITES_DOC, GROUP, ++order,
                Width.SHORT, "S3 conditional writes", List.of(), onlyForS3);
        def.define(S3_RETRY_MAX_ATTEMPTS, Type.INT, 10, Range.atLeast(1), Importance.LOW, S3_RETRY_MAX_ATTEMPTS_DOC,
                GROUP, ++order, Width.SHORT, "S3 retry attempts", List.of(), onlyForS3);
        def.define(S3_RETRY_BASE_DELAY_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                S3_RETRY_BASE_DELAY_DOC, GROUP, ++order, Width.SHORT, "S3 retry base delay (ms)", List.of(),
                onlyForS3);
        def.define(S3_RETRY_MAX_BACKOFF_MS, Type.LONG, 20_000L, Range.atLeast(1), Importance.LOW,
                S3_RETRY_MAX_BACKOFF_DOC, GROUP, ++order, Width.SHORT, "S3 retry max backoff (ms)", List.of(),
                onlyForS3);
        def.define(S3_API_CALL_TIMEOUT_MS, Type.LONG, 120_000L, Range.atLeast(1), Importance.LOW,
                S3_API_CALL_TIMEOUT_DOC, GROUP, ++order, Width.SHORT, "S3 call timeout (ms)", List.of(), onlyForS3);
        def.define(S3_SSE, Type.STRING, S3ServerSideEncryption.Mode.NONE.configValue(),
                new OneOf(S3ServerSideEncryption.Mode.configValues()), Importance.MEDIUM, S3_SSE_DOC, GROUP,
                ++order, Width.SHORT, "S3 server-side encryption", List.of(), onlyForS3);
        def.define(S3_SSE_KMS_KEY_ID, Type.STRING, null, Importance.LOW, S3_SSE_KMS_KEY_ID_DOC, GROUP, ++order,
                Width.LONG, "S3 SSE-KMS key id", List.of(), onlyForS3);
        def.define(S3_SSE_CUSTOMER_KEY, Type.PASSWORD, null, Importance.LOW, S3_SSE_CUSTOMER_KEY_DOC, GROUP,
                ++order, Width.LONG, "S3 SSE-C customer key", List.of(), onlyForS3);
        def.define(S3_SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.LOW, S3_SSL_TRUSTSTORE_LOCATION_DOC,
                GROUP, ++order, Width.LONG, "S3 TLS trust store", List.of(), onlyForS3);
        def.define(S3_SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, S3_SSL_TRUSTSTORE_PASSWORD_DOC,
                GROUP, ++order, Width.MEDIUM, "S3 TLS trust store password", List.of(), onlyForS3);
        def.define(S3_SSL_TRUSTSTORE_TYPE, Type.STRING, S3TrustStore.DEFAULT_TYPE,
                ConfigDef.CaseInsensitiveValidString.in("JKS", "PKCS12"), Importance.LOW,
                S3_SSL_TRUSTSTORE_TYPE_DOC, GROUP, ++order, Width.SHORT, "S3 TLS trust store type", List.of(),
                onlyForS3);

        def.define(FILESYSTEM_PATH, Type.STRING, null, Importance.HIGH, FILESYSTEM_PATH_DOC, GROUP, ++order,
                Width.LONG, "Filesystem root directory", onlyForFilesystem);
        return def;
    }

    /** Accepts one of a fixed set of values, ignoring case, and says which ones in the error and the docs. */
    private static final class OneOf implements ConfigDef.Validator {
        private final List<String> allowed;

        OneOf(Enum<?>[] values) {
            this(Arrays.stream(values)
                    .map(v -> v.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toList()));
        }

        OneOf(List<String> allowed) {
            this.allowed = allowed;
        }

        @Override
        public void ensureValid(String name, Object value) {
            String text = value == null ? null : value.toString().trim();
            if (allowed.stream().noneMatch(v -> v.equalsIgnoreCase(text))) {
                throw new ConfigException(name, value, "Must be one of " + String.join(", ", quoted()));
            }
        }

        private List<String> quoted() {
            return allowed.stream().map(v -> "'" + v + "'").collect(Collectors.toList());
        }

        @Override
        public String toString() {
            return String.join(", ", allowed);
        }
    }

    /** Shows the S3 settings only for storage.type=s3 and the filesystem ones only for filesystem. */
    private static final class VisibleFor implements ConfigDef.Recommender {
        private final StorageType type;

        VisibleFor(StorageType type) {
            this.type = type;
        }

        @Override
        public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
            return List.of();
        }

        @Override
        public boolean visible(String name, Map<String, Object> parsedConfig) {
            Object configured = parsedConfig.get(STORAGE_TYPE);
            try {
                return configured == null || StorageType.fromConfig(configured.toString()) == type;
            } catch (IllegalArgumentException unknownType) {
                return true;
            }
        }
    }
}
