package dev.kbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.common.config.types.Password;

/**
 * The certificate authorities an https S3 endpoint's certificate is checked against, when it is signed by a private CA
 * ({@code s3.ssl.truststore.*}). Unconfigured ({@link #JVM_DEFAULT}), the HTTP client uses the JVM's trust store.
 * The password is read only to open the file and never shown.
 *
 * @param location null: the JVM's trust store
 * @param password null: the file has no password
 * @param type     a JCA key store type: JKS or PKCS12
 */
public record S3TrustStore(String location, Password password, String type) {

    public static final String DEFAULT_TYPE = "JKS";
    public static final S3TrustStore JVM_DEFAULT = new S3TrustStore(null, null, DEFAULT_TYPE);

    public S3TrustStore {
        type = type == null || type.isBlank() ? DEFAULT_TYPE : type.trim().toUpperCase(Locale.ROOT);
    }

    public boolean isConfigured() {
        return location != null;
    }

    /** Why the trust store cannot be used, on the key to change; empty when it loads (or is not configured). */
    public Optional<ConfigProblem> problem() {
        if (!isConfigured()) {
            return Optional.empty();
        }
        try {
            load();
            return Optional.empty();
        } catch (TrustStoreException e) {
            return Optional.of(new ConfigProblem(e.configKey, e.getMessage()));
        }
    }

    /** Trust managers that trust exactly the certificates in the file. */
    TrustManager[] trustManagers() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(load());
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new StorageException("Could not use the trust store '" + location + "' ("
                    + StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION + "): " + e.getMessage(), e, false);
        } catch (TrustStoreException e) {
            throw new StorageException(e.getMessage(), e.getCause(), false);
        }
    }

    private KeyStore load() {
        Path path;
        try {
            path = Path.of(location);
        } catch (InvalidPathException e) {
            throw new TrustStoreException(StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION, "'" + location
                    + "' is not a valid path: " + e.getReason(), e);
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(type);
        } catch (KeyStoreException e) {
            throw new TrustStoreException(StorageConfigKeys.S3_SSL_TRUSTSTORE_TYPE, "This JVM cannot read trust "
                    + "stores of type '" + type + "'; use JKS or PKCS12", e);
        }
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, password == null || password.value() == null ? null : password.value().toCharArray());
        } catch (NoSuchFileException e) {
            throw new TrustStoreException(StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION, "The trust store '" + location
                    + "' does not exist; it must be present at this path on every Connect worker", e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new TrustStoreException(StorageConfigKeys.S3_SSL_TRUSTSTORE_PASSWORD, "The trust store '"
                        + location + "' could not be opened with the configured "
                        + StorageConfigKeys.S3_SSL_TRUSTSTORE_PASSWORD + " (" + (password == null ? "none is set"
                        : "it is wrong") + ")", e);
            }
            throw new TrustStoreException(StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION, "The trust store '"
                    + location + "' could not be read as a " + type + " trust store (" + e.getMessage() + "); check "
                    + StorageConfigKeys.S3_SSL_TRUSTSTORE_TYPE + " and that the file is readable", e);
        } catch (GeneralSecurityException e) {
            throw new TrustStoreException(StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION, "The trust store '"
                    + location + "' holds certificates this JVM cannot load: " + e.getMessage(), e);
        }
        try {
            if (store.size() == 0) {
                throw new TrustStoreException(StorageConfigKeys.S3_SSL_TRUSTSTORE_LOCATION, "The trust store '"
                        + location + "' holds no certificate; import the CA that signed the S3 endpoint's "
                        + "certificate (keytool -importcert -alias s3-ca -file ca.pem -keystore " + location + ")",
                        null);
            }
        } catch (KeyStoreException e) {
            throw new IllegalStateException(e);
        }
        return store;
    }

    @Override
    public String toString() {
        return isConfigured() ? "trust store " + location + " (" + type + ")" : "the JVM's trust store";
    }

    /** A trust store that cannot be used, with the config key to fix. */
    private static final class TrustStoreException extends RuntimeException {
        private final String configKey;

        TrustStoreException(String configKey, String message, Throwable cause) {
            super(message, cause);
            this.configKey = configKey;
        }
    }
}
