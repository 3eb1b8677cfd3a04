package dev.kbackup.storage;

import dev.kbackup.testing.S3ProxyFixture;
import dev.kbackup.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** S3 over https with a private CA: S3Proxy's https endpoint, its certificate signed by a CA made for the test. */
class S3TlsTest {

    private static final String TRUST_PASSWORD = "trust-store-pw-4711";

    private static Path directory;
    private static TestCertificates ca;
    private static S3ProxyFixture s3;
    private static S3ProxyFixture wrongHost;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("kbackup-tls");
        ca = TestCertificates.create(directory);
        s3 = S3ProxyFixture.startWithTls(ca.serverKeyStore("s3", "ip:127.0.0.1", "dns:localhost"),
                TestCertificates.PASSWORD);
        wrongHost = S3ProxyFixture.startWithTls(ca.serverKeyStore("elsewhere", "dns:s3.elsewhere.example"),
                TestCertificates.PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (wrongHost != null) {
            wrongHost.close();
        }
    }

    @Test
    void aStoreWithTheTrustStoreReadsAndWritesOverHttps() {
        Path jks = ca.trustStore("trust.jks", "JKS", TRUST_PASSWORD);
        Path pkcs12 = ca.trustStore("trust.p12", "PKCS12", TRUST_PASSWORD);
        for (Map<String, String> trust : List.of(
                Map.of("s3.ssl.truststore.location", jks.toString(), "s3.ssl.truststore.password", TRUST_PASSWORD),
                Map.of("s3.ssl.truststore.location", pkcs12.toString(), "s3.ssl.truststore.password", TRUST_PASSWORD,
                        "s3.ssl.truststore.type", "PKCS12"))) {
            StorageSettings settings = https(s3, trust);
            assertEquals(List.of(), settings.problems());
            assertEquals(Optional.empty(), StorageProbe.checkWritable(settings, "probe/"));
            byte[] bytes = ("over TLS with " + trust.get("s3.ssl.truststore.location"))
                    .getBytes(StandardCharsets.UTF_8);
            try (ObjectStore store = ObjectStores.open(settings)) {
                store.put("tls/object", bytes, WriteMode.OVERWRITE);
                assertArrayEquals(bytes, store.readIfExists("tls/object").orElseThrow());
            }
            assertArrayEquals(bytes, s3.store().readIfExists("tls/object").orElseThrow(), "the same object over http");
        }
    }

    @Test
    void withoutTheTrustStoreTheStorageCheckNamesTheEndpointAndWhatToSet() {
        Optional<String> problem = StorageProbe.checkWritable(https(s3, Map.of()), "probe/");

        assertTrue(problem.isPresent());
        String message = problem.get();
        assertTrue(message.contains(s3.secureEndpoint().toString()), message);
        assertTrue(message.contains("not signed by a certificate authority this client trusts"), message);
        assertTrue(message.contains("s3.ssl.truststore.location"), message);
        assertFalse(message.contains("try again"), "a certificate problem is not temporary: " + message);
    }

    @Test
    void aCertificateForAnotherHostFailsTheStorageCheckNamingTheEndpoint() {
        Path trust = ca.trustStore("trust-for-wrong-host.jks", "JKS", TRUST_PASSWORD);

        Optional<String> problem = StorageProbe.checkWritable(https(wrongHost, Map.of(
                "s3.ssl.truststore.location", trust.toString(), "s3.ssl.truststore.password", TRUST_PASSWORD)),
                "probe/");

        assertTrue(problem.isPresent());
        String message = problem.get();
        assertTrue(message.contains(wrongHost.secureEndpoint().toString()), message);
        assertTrue(message.contains("not issued for the host in s3.endpoint"), message);
        assertFalse(message.contains("try again"), message);
    }

    @Test
    void anUnusableTrustStoreIsAProblemOfTheKeyToChangeWithoutShowingThePassword() throws Exception {
        Path trust = ca.trustStore("trust-for-problems.jks", "JKS", TRUST_PASSWORD);
        Path empty = directory.resolve("not-a-store.jks");
        Files.write(empty, new byte[] {1, 2, 3});

        assertProblem(Map.of("s3.ssl.truststore.location", directory.resolve("missing.jks").toString()),
                "s3.ssl.truststore.location", "does not exist", "every Connect worker");
        assertProblem(Map.of("s3.ssl.truststore.location", trust.toString(),
                "s3.ssl.truststore.password", "wrong-password-0815"), "s3.ssl.truststore.password", "it is wrong");
        assertProblem(Map.of("s3.ssl.truststore.location", empty.toString()), "s3.ssl.truststore.location",
                "could not be read as a JKS trust store", "s3.ssl.truststore.type");
        String shown = https(s3, Map.of("s3.ssl.truststore.location", trust.toString(),
                "s3.ssl.truststore.password", TRUST_PASSWORD)).toString();
        assertTrue(shown.contains("trust store " + trust + " (JKS)"), shown);
        assertFalse(shown.contains(TRUST_PASSWORD), shown);
    }

    private static void assertProblem(Map<String, String> trust, String key, String... fragments) {
        List<ConfigProblem> problems = https(s3, trust).problems();
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(key, problems.get(0).name());
        for (String fragment : fragments) {
            assertTrue(problems.get(0).message().contains(fragment), problems.get(0).message());
        }
        assertFalse(problems.get(0).message().contains("wrong-password-0815"), problems.get(0).message());
    }

    /** Settings for the https endpoint of {@code proxy}, failing fast: a certificate does not change on retry. */
    private static StorageSettings https(S3ProxyFixture proxy, Map<String, String> trust) {
        Map<String, String> config = new HashMap<>(proxy.connectorConfig(proxy.secureEndpoint()));
        config.put("s3.retry.max.attempts", "2");
        config.putAll(trust);
        return StorageSettings.parse(config);
    }
}
