package dev.kbackup.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectorConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void readsTheConfigOfTheJsonPostedToConnect() throws IOException {
        Path file = write("sink.json", """
                {"name": "orders-backup", "config": {"storage.type": "filesystem", "filesystem.path": "/data",
                 "tasks.max": 2, "s3.path.style.access": true, "unset": null}}""");
        Map<String, String> config = ConnectorConfigFile.load(file, Map.of());
        assertEquals(Map.of("storage.type", "filesystem", "filesystem.path", "/data", "tasks.max", "2",
                "s3.path.style.access", "true"), config);
    }

    @Test
    void readsABareConfigMapAndAPropertiesFile() throws IOException {
        Path json = write("bare.json", "{\"storage.type\": \"s3\", \"s3.bucket\": \"b\"}");
        assertEquals(Map.of("storage.type", "s3", "s3.bucket", "b"), ConnectorConfigFile.load(json, Map.of()));
        Path properties = write("sink.properties", "storage.type=s3\ns3.bucket = backups\n# a comment\n");
        assertEquals(Map.of("storage.type", "s3", "s3.bucket", "backups"),
                ConnectorConfigFile.load(properties, Map.of()));
    }

    @Test
    void resolvesFileAndEnvironmentReferencesAsConnectDoes() throws IOException {
        Path secrets = write("secrets.properties", "secret=s3cr3t\n");
        Path file = write("sink.json", "{\"config\": {\"s3.secret.access.key\": \"${file:" + secrets + ":secret}\", "
                + "\"home\": \"${env:PATH}\", \"mixed\": \"key-${file:" + secrets + ":secret}-end\"}}");
        Map<String, String> config = ConnectorConfigFile.load(file, Map.of());
        assertEquals("s3cr3t", config.get("s3.secret.access.key"));
        assertEquals(System.getenv("PATH"), config.get("home"));
        assertEquals("key-s3cr3t-end", config.get("mixed"));
    }

    @Test
    void overridesWinOverTheFileAndMayUseReferencesToo() throws IOException {
        Path secrets = write("secrets.properties", "prefix=dr/\n");
        Path file = write("sink.properties", "storage.prefix=prod/\nstorage.type=s3\n");
        Map<String, String> config = ConnectorConfigFile.load(file,
                Map.of("storage.prefix", "${file:" + secrets + ":prefix}"));
        assertEquals("dr/", config.get("storage.prefix"));
        assertEquals("s3", config.get("storage.type"));
    }

    @Test
    void anUnsetEnvironmentVariableIsAnErrorNamingTheSettingAndTheWayOut() throws IOException {
        Path file = write("sink.json", "{\"s3.secret.access.key\": \"${env:KBACKUP_CLI_TEST_SURELY_UNSET}\"}");
        UsageException e = assertThrows(UsageException.class, () -> ConnectorConfigFile.load(file, Map.of()));
        assertTrue(e.getMessage().contains("'s3.secret.access.key'"), e.getMessage());
        assertTrue(e.getMessage().contains("${env:KBACKUP_CLI_TEST_SURELY_UNSET}"), e.getMessage());
        assertTrue(e.getMessage().contains("--set s3.secret.access.key=VALUE"), e.getMessage());
    }

    @Test
    void aMissingFileOrBrokenJsonSaysWhatToGive() throws IOException {
        UsageException missing = assertThrows(UsageException.class,
                () -> ConnectorConfigFile.load(dir.resolve("nope.json"), Map.of()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path broken = write("broken.json", "{\"storage.type\": ");
        UsageException json = assertThrows(UsageException.class, () -> ConnectorConfigFile.load(broken, Map.of()));
        assertTrue(json.getMessage().contains("is not valid JSON"), json.getMessage());
        Path nested = write("nested.json", "{\"topics\": [\"a\"]}");
        UsageException array = assertThrows(UsageException.class, () -> ConnectorConfigFile.load(nested, Map.of()));
        assertTrue(array.getMessage().contains("'topics' is an array"), array.getMessage());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
