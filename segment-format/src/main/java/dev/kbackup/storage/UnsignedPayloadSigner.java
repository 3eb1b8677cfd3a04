package dev.kbackup.storage;

import java.util.concurrent.CompletableFuture;

import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 that never hashes the payload ({@code x-amz-content-sha256: UNSIGNED-PAYLOAD}), over plain http as the SDK
 * already does over https. Over http the SDK hashes every uploaded byte with SHA-256 and ignores a request not to;
 * that hash was the costliest per-byte work of an upload, and it adds no check ours lack: each upload carries a
 * CRC32 the store verifies, and each segment a CRC32C per block and of the whole object. What it would add, against
 * someone on the path altering bodies, plain http does not give for downloads anyway; TLS or {@code encryption.key}
 * do (docs/security.md).
 *
 * <p>The SDK decides from the request's scheme alone, and the scheme is no part of what SigV4 signs, so a request with
 * a body is signed as its https twin (same host, port and headers) and sent over http as it was. Method, path,
 * query, headers, credentials and region stay signed.
 */
final class UnsignedPayloadSigner implements HttpSigner<AwsCredentialsIdentity> {

    private static final int HTTP_PORT = 80;
    private static final int HTTPS_PORT = 443;

    private final AwsV4HttpSigner sigV4 = AwsV4HttpSigner.create();

    /** The SDK's SigV4 scheme ({@code aws.auth#sigv4}) signing with this signer. */
    static AuthScheme<AwsCredentialsIdentity> scheme() {
        HttpSigner<AwsCredentialsIdentity> signer = new UnsignedPayloadSigner();
        return new AuthScheme<>() {
            @Override
            public String schemeId() {
                return AwsV4AuthScheme.SCHEME_ID;
            }

            @Override
            public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
                return providers.identityProvider(AwsCredentialsIdentity.class);
            }

            @Override
            public HttpSigner<AwsCredentialsIdentity> signer() {
                return signer;
            }
        };
    }

    @Override
    public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        SdkHttpRequest sent = request.request();
        // on port 443 the https twin's Host header would lose the port that plain http sends
        if (!"http".equals(sent.protocol()) || request.payload().isEmpty() || sent.port() == HTTPS_PORT) {
            return sigV4.sign(request);
        }
        // http's default port is https's default port in the twin, so both send the same Host header
        SdkHttpRequest twin = sent.toBuilder().protocol("https")
                .port(sent.port() == HTTP_PORT ? HTTPS_PORT : sent.port()).build();
        SignedRequest signed = sigV4.sign(request.copy(b -> b.request(twin)));
        return SignedRequest.builder()
                .request(signed.request().toBuilder().protocol("http").port(sent.port()).build())
                .payload(signed.payload().orElse(null))
                .build();
    }

    @Override
    public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return sigV4.signAsync(request); // the store's client is synchronous
    }
}
