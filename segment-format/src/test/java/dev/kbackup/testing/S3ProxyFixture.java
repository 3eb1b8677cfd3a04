package dev.kbackup.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * A real S3 API in this JVM: S3Proxy on a free loopback port, with one bucket, reached with path-style requests and
 * static credentials. Start one per test class ({@code @BeforeAll}) and close it in {@code @AfterAll}.
 *
 * <pre>{@code
 * s3 = S3ProxyFixture.start();
 * Map<String, String> config = new HashMap<>(s3.connectorConfig());   // storage.type=s3, s3.endpoint, keys, ...
 * ObjectStore store = s3.store();                                      // owned by the fixture, at the bucket root
 * }</pre>
 */
public final class S3ProxyFixture implements AutoCloseable {

    public static final String ACCESS_KEY = "kbackup-access-key";
    public static final String SECRET_KEY = "kbackup-secret-key";
    public static final String BUCKET = "kbackup-test";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final URI endpoint;
    private final URI secureEndpoint;
    private final String accessKey;
    private final String secretKey;
    private S3Client client;
    private ObjectStore store;

    private S3ProxyFixture(BlobStore blobStore) throws Exception {
        this(blobStore, null, null, ACCESS_KEY, SECRET_KEY);
    }

    private S3ProxyFixture(BlobStore blobStore, Path serverKeyStore, String keyStorePassword, String accessKey,
                           String secretKey) throws Exception {
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey);
        if (serverKeyStore != null) {
            builder.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(serverKeyStore.toString(),
                    keyStorePassword);
        }
        proxy = builder.build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within 30 s: " + proxy.getState());
            }
            Thread.sleep(5);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        secureEndpoint = serverKeyStore == null ? null : URI.create("https://127.0.0.1:" + proxy.getSecurePort());
        createBucket(BUCKET);
    }

    /** S3Proxy keeping objects in memory (fine for tests up to some hundreds of MB in total). */
    public static S3ProxyFixture start() throws Exception {
        return new S3ProxyFixture(new TransientNio2BlobStore());
    }

    /** S3Proxy keeping objects as files below {@code directory} (a bucket is a subdirectory): spares the heap. */
    public static S3ProxyFixture start(Path directory) throws Exception {
        return new S3ProxyFixture(new FilesystemNio2BlobStore(directory.toString()));
    }

    /** S3Proxy over {@code blobStore}: a store that behaves like a particular S3 implementation, for instance. */
    public static S3ProxyFixture start(BlobStore blobStore) throws Exception {
        return new S3ProxyFixture(blobStore);
    }

    /**
     * S3Proxy in memory serving https too, with the key and certificate of {@code serverKeyStore} (PKCS12, e.g. from
     * {@link TestCertificates#serverKeyStore}); the fixture itself and {@link #connectorConfig()} keep using http.
     */
    public static S3ProxyFixture startWithTls(Path serverKeyStore, String password) throws Exception {
        return startWithTls(serverKeyStore, password, ACCESS_KEY, SECRET_KEY);
    }

    /** As {@link #startWithTls(Path, String)}, accepting only the given key pair (e.g. distinctive test secrets). */
    public static S3ProxyFixture startWithTls(Path serverKeyStore, String password, String accessKey,
                                              String secretKey) throws Exception {
        return new S3ProxyFixture(new TransientNio2BlobStore(), serverKeyStore, password, accessKey, secretKey);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The https endpoint of a fixture started with {@link #startWithTls}. */
    public URI secureEndpoint() {
        if (secureEndpoint == null) {
            throw new IllegalStateException("This S3Proxy was started without TLS: use startWithTls");
        }
        return secureEndpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public String bucket() {
        return BUCKET;
    }

    public String region() {
        return REGION;
    }

    /** Connector properties for this S3Proxy: storage.type=s3, endpoint, path style, region, keys and bucket. */
    public Map<String, String> connectorConfig() {
        return connectorConfig(endpoint);
    }

    /** Like {@link #connectorConfig()} but reaching S3Proxy through {@code endpoint}, e.g. a FaultInjectingProxy. */
    public Map<String, String> connectorConfig(URI endpoint) {
        Map<String, String> config = new HashMap<>();
        config.put("storage.type", "s3");
        config.put("s3.endpoint", endpoint.toString());
        config.put("s3.path.style.access", "true");
        config.put("s3.region", REGION);
        config.put("s3.access.key.id", accessKey);
        config.put("s3.secret.access.key", secretKey);
        config.put("s3.bucket", BUCKET);
        return config;
    }

    /** Storage settings for this S3Proxy, with {@code overrides} (e.g. "s3.retry.max.attempts") applied. */
    public StorageSettings storageSettings(Map<String, String> overrides) {
        Map<String, String> config = connectorConfig();
        config.putAll(overrides);
        return StorageSettings.parse(config);
    }

    public StorageSettings storageSettings() {
        return storageSettings(Map.of());
    }

    /** A store at the top level of the bucket, owned by the fixture: do not close it. */
    public synchronized ObjectStore store() {
        if (store == null) {
            store = ObjectStores.open(storageSettings());
        }
        return store;
    }

    /** A plain SDK client for looking behind the store's back, owned by the fixture: do not close it. */
    public synchronized S3Client client() {
        if (client == null) {
            client = S3Client.builder()
                    .httpClientBuilder(Apache5HttpClient.builder())
                    .endpointOverride(endpoint)
                    .forcePathStyle(true)
                    .region(Region.of(REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(accessKey, secretKey)))
                    .build();
        }
        return client;
    }

    public void createBucket(String name) {
        client().createBucket(b -> b.bucket(name));
    }

    /** Keys of the multipart uploads started in the bucket and neither completed nor aborted. */
    public List<String> pendingMultipartUploads() {
        return client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
                .map(MultipartUpload::key)
                .collect(Collectors.toList());
    }

    @Override
    public synchronized void close() {
        if (store != null) {
            store.close();
        }
        if (client != null) {
            client.close();
        }
        try {
            proxy.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop S3Proxy at " + endpoint, e);
        }
    }
}
