package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** The signer leaves the body unhashed over http, and otherwise signs exactly what the SDK's SigV4 signs over https. */
class UnsignedPayloadSignerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T04:00:00Z"), ZoneOffset.UTC);
    private static final AwsCredentialsIdentity CREDENTIALS = AwsCredentialsIdentity.create("access", "secret");

    private final UnsignedPayloadSigner signer = new UnsignedPayloadSigner();

    @Test
    void signsAnHttpUploadAsItsHttpsTwinWithoutHashingTheBody() {
        // plain http endpoint, the https twin that signs the same Host header, the port sent
        String[][] cases = {{"http://store.example", "https://store.example", "80"},
                {"http://store.example:9000", "https://store.example:9000", "9000"}};
        for (String[] c : cases) {
            String endpoint = c[0];
            SignedRequest signed = signer.sign(request(endpoint));
            SignedRequest twin = AwsV4HttpSigner.create().sign(request(c[1]));

            assertEquals("http", signed.request().protocol(), endpoint);
            assertEquals(Integer.parseInt(c[2]), signed.request().port(), endpoint);
            assertEquals("UNSIGNED-PAYLOAD", signed.request().firstMatchingHeader("x-amz-content-sha256")
                    .orElseThrow(), endpoint);
            assertEquals(URI.create(endpoint).getAuthority(), signed.request().firstMatchingHeader("Host")
                    .orElseThrow(), "the Host header plain http sends: " + endpoint);
            assertEquals(twin.request().headers(), signed.request().headers(), "same signature: " + endpoint);
        }
    }

    @Test
    void leavesHttpsAndHttpOnPort443ToTheSdk() {
        SignedRequest https = signer.sign(request("https://store.example"));
        assertEquals("UNSIGNED-PAYLOAD", https.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());

        // the https twin would sign "Host: store.example" where http sends "store.example:443": hashed as the SDK does
        SignedRequest odd = signer.sign(request("http://store.example:443"));
        assertEquals(64, odd.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow().length());
    }

    private static SignRequest<AwsCredentialsIdentity> request(String endpoint) {
        SdkHttpRequest http = SdkHttpRequest.builder().method(SdkHttpMethod.PUT)
                .uri(URI.create(endpoint + "/bucket/key")).putHeader("Content-Length", "5").build();
        return SignRequest.builder(CREDENTIALS).request(http)
                .payload(ContentStreamProvider.fromUtf8String("hello"))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, CLOCK)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .build();
    }
}
