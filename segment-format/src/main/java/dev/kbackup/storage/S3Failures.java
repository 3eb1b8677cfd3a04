package dev.kbackup.storage;

import java.security.cert.CertPathBuilderException;
import java.util.Set;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns AWS SDK exceptions into {@link StorageException}s that say what failed, where, and what to do. */
final class S3Failures {

    private static final Set<String> THROTTLING_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "TooManyRequests", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled",
            "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable");

    private S3Failures() {
    }

    /**
     * @param store     the store's {@code describe()}
     * @param operation the S3 operation, e.g. "PutObject"
     * @param key       the object key (relative to the store), or a description such as "prefix 'a/'"
     */
    static StorageException translate(String store, String operation, String key, SdkException e) {
        String what = operation + " of " + quote(key) + " in " + store;
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = errorCode(s3);
            if ("NoSuchKey".equals(code) || (status == 404 && code == null && operation.equals("HeadObject"))) {
                return new ObjectNotFoundException(store, key);
            }
            boolean retriable = isRetriable(status, code);
            String message = what + " failed: HTTP " + status + (code == null ? "" : " " + code)
                    + detail(s3) + attempts(e) + hint(status, code, store);
            return new StorageException(message, e, retriable);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new StorageException(what + " timed out" + attempts(e) + " (" + e.getMessage() + "); if parts are "
                    + "large or the link slow, raise " + StorageConfigKeys.S3_API_CALL_TIMEOUT_MS, e, true);
        }
        if (e instanceof AbortedException) {
            return new StorageException(what + " was interrupted", e, false);
        }
        if (e instanceof SdkClientException) {
            String tls = tlsProblem(e);
            if (tls != null) {
                // a retry meets the same certificate
                return new StorageException(what + " failed: " + tls, e, false);
            }
            return new StorageException(what + " failed before a response arrived" + attempts(e) + ": "
                    + e.getMessage() + "; check that " + store + " is reachable (" + StorageConfigKeys.S3_ENDPOINT
                    + ", network, DNS, proxy)", e, true);
        }
        return new StorageException(what + " failed" + attempts(e) + ": " + e.getMessage(), e, e.retryable());
    }

    /** What is wrong with the endpoint's certificate and what to set, or null if {@code e} is no TLS failure. */
    static String tlsProblem(Throwable e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof SSLPeerUnverifiedException || message.contains("No subject alternative")
                    || message.contains("doesn't match any of the subject alternative names")
                    || message.contains("No name matching")) {
                return "the TLS certificate of the endpoint is not issued for the host in "
                        + StorageConfigKeys.S3_ENDPOINT + " (" + message + "). Set " + StorageConfigKeys.S3_ENDPOINT
                        + " to a host name the certificate holds, or give the store a certificate for the host you "
                        + "use";
            }
            if (cause instanceof CertPathBuilderException || message.contains("PKIX path")
                    || message.contains("unable to find valid certification path")) {
                return "the TLS certificate of the endpoint is not signed by a certificate authority this client "
                        + "trusts (" + message + "). For a store with a private CA, set "
                        + StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION + " (and " + StorageConfigKeys
                        .S3_SSL_TRUSTSTORE_PASSWORD + ", " + StorageConfigKeys.S3_SSL_TRUSTSTORE_TYPE + ") to a trust "
                        + "store holding that CA, or add the CA to the JVM trust store of every worker";
            }
        }
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return "the TLS handshake with the endpoint failed (" + cause.getMessage() + "); check that "
                        + StorageConfigKeys.S3_ENDPOINT + " uses https only where the store serves TLS, and "
                        + StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION;
            }
        }
        return null;
    }

    static String errorCode(S3Exception e) {
        AwsErrorDetails details = e.awsErrorDetails();
        return details == null ? null : details.errorCode();
    }

    /** Throttling, 5xx other than 501 and request timeouts may succeed later; 4xx and 501 will not. */
    static boolean isRetriable(int status, String code) {
        if (status == 501) {
            return false;
        }
        return status >= 500 || status == 429 || status == 408 || (code != null && THROTTLING_CODES.contains(code));
    }

    private static String detail(S3Exception e) {
        AwsErrorDetails details = e.awsErrorDetails();
        String text = details == null ? null : details.errorMessage();
        return text == null || text.isBlank() ? "" : " (" + text + ")";
    }

    private static String attempts(SdkException e) {
        Integer attempts = e.numAttempts();
        return attempts == null || attempts <= 1 ? "" : " after " + attempts + " attempts";
    }

    private static String hint(int status, String code, String store) {
        if ("NoSuchBucket".equals(code)) {
            return "; create the bucket or correct " + StorageConfigKeys.S3_BUCKET;
        }
        if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
            return "; check " + StorageConfigKeys.S3_ACCESS_KEY_ID + " and " + StorageConfigKeys.S3_SECRET_ACCESS_KEY
                    + " (or the credentials the AWS default chain finds)";
        }
        if ("AuthorizationHeaderMalformed".equals(code) || "PermanentRedirect".equals(code) || status == 301) {
            return "; set " + StorageConfigKeys.S3_REGION + " to the bucket's region";
        }
        if (status == 403) {
            return "; check the credentials and that their policy allows s3:GetObject, s3:PutObject, "
                    + "s3:DeleteObject, s3:ListBucket and s3:AbortMultipartUpload on " + store;
        }
        if (status == 416) {
            return "; the range starts at or after the end of the object";
        }
        if (status == 501) {
            return "; the store does not implement this request";
        }
        if (isRetriable(status, code)) {
            return "; the store is overloaded or failing, try again later";
        }
        return "";
    }

    private static String quote(String key) {
        return key.startsWith("prefix ") ? key : "'" + key + "'";
    }
}
