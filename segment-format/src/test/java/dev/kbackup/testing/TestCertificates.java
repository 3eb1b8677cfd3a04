package dev.kbackup.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private certificate authority made for one test with the JDK's keytool: trust stores holding its certificate
 * and server key stores (PKCS12, for S3Proxy's https endpoint) whose certificate it signed for given host names.
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.create(tempDir);
 * Path server = ca.serverKeyStore("s3", "ip:127.0.0.1");       // password: TestCertificates.PASSWORD
 * Path trust = ca.trustStore("trust.jks", "JKS", "trust-pw");
 * }</pre>
 */
public final class TestCertificates {

    /** Password of the CA's and the servers' key stores. */
    public static final String PASSWORD = "server-store-pw";

    private static final Path KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool");

    private final Path directory;
    private final Path caStore;
    private final Path caCertificate;

    private TestCertificates(Path directory) {
        this.directory = directory;
        this.caStore = directory.resolve("ca.p12");
        this.caCertificate = directory.resolve("ca.pem");
    }

    /** A new CA, its files kept in {@code directory}. */
    public static TestCertificates create(Path directory) {
        if (!Files.isExecutable(KEYTOOL)) {
            throw new IllegalStateException("No keytool at " + KEYTOOL + ": the test certificates need the JDK's");
        }
        TestCertificates ca = new TestCertificates(directory);
        ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=kbackup test CA", "-ext", "bc:c", "-validity", "2",
                "-keystore", ca.caStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        ca.keytool("-exportcert", "-rfc", "-alias", "ca", "-file", ca.caCertificate.toString(),
                "-keystore", ca.caStore.toString(), "-storepass", PASSWORD);
        return ca;
    }

    /** A trust store of {@code type} (JKS or PKCS12) holding the CA's certificate, protected by {@code password}. */
    public Path trustStore(String fileName, String type, String password) {
        Path store = directory.resolve(fileName);
        keytool("-importcert", "-noprompt", "-alias", "kbackup-test-ca", "-file", caCertificate.toString(),
                "-keystore", store.toString(), "-storetype", type, "-storepass", password);
        return store;
    }

    /**
     * A PKCS12 key store (password {@link #PASSWORD}) with a server key and a certificate for the subject alternative
     * names {@code sans} (keytool syntax, e.g. "ip:127.0.0.1", "dns:localhost"), signed by the CA.
     */
    public Path serverKeyStore(String name, String... sans) {
        Path store = directory.resolve(name + ".p12");
        Path request = directory.resolve(name + ".csr");
        Path certificate = directory.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-file", request.toString(),
                "-keystore", store.toString(), "-storepass", PASSWORD);
        keytool("-gencert", "-rfc", "-alias", "ca", "-infile", request.toString(), "-outfile", certificate.toString(),
                "-ext", "san=" + String.join(",", sans), "-ext", "eku=serverAuth", "-validity", "2",
                "-keystore", caStore.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(),
                "-keystore", store.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-alias", "server", "-file", certificate.toString(),
                "-keystore", store.toString(), "-storepass", PASSWORD);
        return store;
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(KEYTOOL.toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run " + KEYTOOL, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running keytool", e);
        }
    }

    /** The CA certificate in PEM form. */
    public Path caCertificate() {
        return caCertificate;
    }
}
