package dev.kbackup.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the built archives hold: our jars and their libraries, docs and examples, and none of Kafka's jars. */
class PluginArchiveIT {

    private static final String VERSION = PluginArchives.projectVersion();
    private static final String HUB_ROOT = "kbackup-kafka-connect-backup-" + VERSION + "/";
    private static final String TAR_ROOT = "kbackup-" + VERSION + "/";
    private static final List<String> OUR_JARS = List.of("segment-format-" + VERSION + ".jar",
            "backup-sink-connector-" + VERSION + ".jar", "restore-source-connector-" + VERSION + ".jar",
            "connector-common-" + VERSION + ".jar");
    /** Libraries the connectors need at run time that no Connect worker provides. */
    private static final List<String> LIBRARIES = List.of("s3-", "sts-", "apache5-client-", "zstd-jni-", "lz4-java-",
            "sqlite-jdbc-", "jackson-databind-", "jackson-datatype-jsr310-");
    /** Jars a Connect worker already has: a second copy in a plugin is at best dead weight. */
    private static final List<String> PROVIDED = List.of("connect-api-", "connect-runtime-", "connect-json-",
            "connect-transforms-", "kafka-clients-", "kafka_2.13-", "slf4j-api-", "slf4j-", "log4j-");

    private static Map<String, byte[]> zip;
    private static Map<String, byte[]> tar;

    @BeforeAll
    static void read() throws IOException {
        zip = PluginArchives.zipEntries(PluginArchives.hubZip());
        tar = PluginArchives.tarGzEntries(PluginArchives.pluginTarball());
    }

    @Test
    void hubComponentHoldsManifestLibrariesDocsAndExamples() throws IOException {
        assertTrue(zip.keySet().stream().allMatch(name -> name.startsWith(HUB_ROOT)), zip.keySet().toString());
        Set<String> jars = jarNames(zip, HUB_ROOT + "lib/");
        assertTrue(jars.containsAll(OUR_JARS), jars.toString());
        assertLibrariesPresentAndKafkaAbsent(jars);
        assertEquals(jars.size(), zip.keySet().stream().filter(n -> n.endsWith(".jar")).count(),
                "every jar is in lib/");

        JsonNode manifest = new ObjectMapper().readTree(zip.get(HUB_ROOT + "manifest.json"));
        assertEquals(VERSION, manifest.path("version").asText());
        assertEquals(Set.of("dev.kbackup.sink.BackupSinkConnector", "dev.kbackup.restore.RestoreSourceConnector"),
                manifest.path("connectors").findValues("class").stream().map(JsonNode::asText)
                        .collect(Collectors.toSet()));
        assertEquals(Set.of("sink", "source"), Set.of(manifest.path("component_types").get(0).asText(),
                manifest.path("component_types").get(1).asText()));

        String reference = PluginArchives.string(zip.get(HUB_ROOT + "doc/configuration.md"));
        assertEquals(ConfigReference.render(), reference, "doc/configuration.md is the generated reference");
        assertTrue(zip.containsKey(HUB_ROOT + "doc/README.md"), "README");
        assertTrue(zip.containsKey(HUB_ROOT + "doc/LICENSE"), "license");
        assertTrue(zip.containsKey(HUB_ROOT + "etc/backup-aws-s3.json"), "example configs in etc/");
        assertTrue(zip.containsKey(HUB_ROOT + "etc/restore-point-in-time.json"), "example configs in etc/");
        assertTrue(zip.containsKey(HUB_ROOT + "etc/worker/config-providers.properties"), "worker examples in etc/");
        assertEquals(JmxExporterRules.generate(), PluginArchives.string(zip.get(HUB_ROOT
                + "etc/monitoring/kbackup-jmx-exporter.yaml")), "etc/monitoring holds the JMX exporter rules");
    }

    @Test
    void pluginDirectoryTarballHoldsTheSameJarsInOneFolder() {
        assertTrue(tar.keySet().stream().allMatch(name -> name.startsWith(TAR_ROOT)
                && (name.indexOf('/', TAR_ROOT.length()) < 0 || name.equals(TAR_ROOT + "bin/kbackup"))
                && (name.endsWith(".jar") || name.equals(TAR_ROOT + "LICENSE")
                    || name.equals(TAR_ROOT + "bin/kbackup"))), tar.keySet().toString());
        assertTrue(tar.containsKey(TAR_ROOT + "LICENSE"), "license");
        Set<String> jars = jarNames(tar, TAR_ROOT);
        assertEquals(jarNames(zip, HUB_ROOT + "lib/"), jars, "both archives ship the same jars");
        assertLibrariesPresentAndKafkaAbsent(jars);
    }

    @Test
    void bothArchivesShipTheCliAsAnExecutableThatNoWorkerTakesForPluginCode() throws IOException {
        assertEquals(0755, PluginArchives.tarGzModes(PluginArchives.pluginTarball()).get(TAR_ROOT + "bin/kbackup"));
        byte[] script = tar.get(TAR_ROOT + "bin/kbackup");
        assertArrayEquals(script, zip.get(HUB_ROOT + "bin/kbackup"), "the same bin/kbackup in both archives");
        assertTrue(PluginArchives.string(script).startsWith("#!/bin/sh\n"), "a shell script first");
        Path file = Files.createTempFile("kbackup", ".script");
        Files.write(file, script); // a jar behind a stub: ZipFile reads it from its end, as java does
        try (ZipFile jar = new ZipFile(file.toFile())) {
            assertTrue(jar.getEntry("dev/kbackup/cli/Kbackup.class") != null, "the CLI");
            assertTrue(jar.getEntry("org/apache/kafka/common/config/AbstractConfig.class") != null,
                    "kafka-clients, which the archives' jars leave to the worker");
            assertTrue(jar.getEntry("picocli/CommandLine.class") != null, "picocli");
            assertTrue(jar.getEntry("dev/kbackup/layout/BackupCatalog.class") == null,
                    "the format classes come from the archive's own segment-format jar");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void connectorJarsRegisterTheirConnectorAndCarryTheProjectVersion() throws IOException {
        Map<String, byte[]> sink = PluginArchives.jarEntries(tar.get(TAR_ROOT + OUR_JARS.get(1)));
        assertEquals("dev.kbackup.sink.BackupSinkConnector", PluginArchives.string(
                sink.get("META-INF/services/org.apache.kafka.connect.sink.SinkConnector")).trim());
        Map<String, byte[]> restore = PluginArchives.jarEntries(tar.get(TAR_ROOT + OUR_JARS.get(2)));
        assertEquals("dev.kbackup.restore.RestoreSourceConnector", PluginArchives.string(
                restore.get("META-INF/services/org.apache.kafka.connect.source.SourceConnector")).trim());
        Map<String, byte[]> format = PluginArchives.jarEntries(tar.get(TAR_ROOT + OUR_JARS.get(0)));
        assertEquals("version=" + VERSION, PluginArchives.string(format.get("dev/kbackup/version.properties")).trim());
    }

    private static void assertLibrariesPresentAndKafkaAbsent(Set<String> jars) {
        for (String library : LIBRARIES) {
            assertTrue(jars.stream().anyMatch(jar -> jar.startsWith(library)), library + " in " + jars);
        }
        for (String provided : PROVIDED) {
            assertTrue(jars.stream().noneMatch(jar -> jar.startsWith(provided)), provided + " not in " + jars);
        }
    }

    private static Set<String> jarNames(Map<String, byte[]> entries, String folder) {
        return entries.keySet().stream()
                .filter(name -> name.startsWith(folder) && name.endsWith(".jar"))
                .map(name -> name.substring(folder.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
