package dev.kbackup.storage;

import java.net.URI;

import javax.net.ssl.TrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the synchronous S3 client described by the storage settings. */
final class S3Clients {

    private static final Logger log = LoggerFactory.getLogger(S3Clients.class);

    private S3Clients() {
    }

    static S3Client create(StorageSettings settings, AwsCredentialsProvider credentials) {
        Apache5HttpClient.Builder http = Apache5HttpClient.builder().maxConnections(64);
        if (settings.trustStore().isConfigured()) {
            TrustManager[] trustManagers = settings.trustStore().trustManagers();
            http.tlsTrustManagersProvider(() -> trustManagers);
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(http)
                .region(region(settings))
                .forcePathStyle(settings.pathStyleAccess())
                .credentialsProvider(credentials)
                // SigV4 without a SHA-256 of every uploaded byte, over plain http too
                .putAuthScheme(UnsignedPayloadSigner.scheme())
                // each upload's one CRC32 travels in a header, not in an aws-chunked trailer
                .serviceConfiguration(s3 -> s3.chunkedEncodingEnabled(false))
                .overrideConfiguration(o -> o
                        .retryStrategy(retryStrategy(settings))
                        .apiCallTimeout(settings.apiCallTimeout()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        return builder.build();
    }

    /**
     * The SDK's standard strategy (it retries throttling such as 503 SlowDown and 429, other 5xx, and IO errors) with
     * our attempts and full-jitter exponential backoff. Its circuit breaker is off: it would stop retrying after a
     * burst of failures, and callers need "retried N times" to hold during a long outage.
     */
    static RetryStrategy retryStrategy(StorageSettings settings) {
        BackoffStrategy backoff = BackoffStrategy.exponentialDelay(settings.retryBaseDelay(),
                settings.retryMaxBackoff());
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(settings.retryMaxAttempts())
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .build();
    }

    private static Region region(StorageSettings settings) {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException noRegionFound) {
            log.info("No S3 region configured or found by the AWS SDK's region chain; using {}",
                    StorageConfigKeys.FALLBACK_REGION);
            return Region.of(StorageConfigKeys.FALLBACK_REGION);
        }
    }

    /** Static credentials if both keys are set, else the default chain; the caller closes it with the client. */
    static AwsCredentialsProvider credentials(StorageSettings settings) {
        if (settings.hasStaticCredentials()) {
            // The only place the secret is read.
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    settings.accessKeyId().value(), settings.secretAccessKey().value()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
