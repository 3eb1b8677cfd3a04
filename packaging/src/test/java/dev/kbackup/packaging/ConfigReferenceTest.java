package dev.kbackup.packaging;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed configuration reference is what the ConfigDefs generate, and it shows what users rely on. */
class ConfigReferenceTest {

    private static final Path COMMITTED = RepoPaths.root().resolve("docs/configuration.md");

    @Test
    void committedReferenceIsWhatTheConfigDefsGenerate() throws IOException {
        String generated = ConfigReference.render();
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED, StandardCharsets.UTF_8) : "";
        assertEquals(generated, committed, "docs/configuration.md differs from what the connectors' ConfigDefs "
                + "generate. Regenerate it with: " + ConfigReference.REGENERATE_COMMAND);
    }

    @Test
    void secretsAreDocumentedAsPasswords() {
        String reference = ConfigReference.render();
        assertTrue(reference.contains("| `s3.access.key.id` | PASSWORD |"), "s3.access.key.id is a PASSWORD");
        assertTrue(reference.contains("| `s3.secret.access.key` | PASSWORD |"), "s3.secret.access.key is a PASSWORD");
    }

    @Test
    void everyPublicSettingOfBothConnectorsIsListed() {
        String reference = ConfigReference.render();
        String sink = reference.substring(reference.indexOf("## Backup sink connector"),
                reference.indexOf("## Restore source connector"));
        String restore = reference.substring(reference.indexOf("## Restore source connector"));
        for (String key : new String[] {"backup.id", "storage.type", "storage.prefix", "s3.bucket", "s3.region",
            "s3.endpoint", "s3.path.style.access", "s3.part.size.bytes", "filesystem.path", "segment.max.bytes",
            "segment.max.interval.ms", "compression.type", "compression.level", "checkpoint.interval.ms",
            "state.dir", "state.sync.interval.ms", "buffer.memory.bytes"}) {
            assertTrue(sink.contains("| `" + key + "` |"), "backup reference lists " + key);
        }
        for (String key : new String[] {"backup.id", "storage.type", "topics", "topics.regex", "restore.time.start",
            "restore.time.end", "topic.mapping", "partition.mapping", "restore.original.headers",
            "restore.max.bytes.per.second", "restore.create.topics", "cluster.bootstrap.servers"}) {
            assertTrue(restore.contains("| `" + key + "` |"), "restore reference lists " + key);
        }
        assertTrue(sink.contains("| `backup.id` | STRING | *required* |"), "backup.id is required");
    }

    @Test
    void machineDependentDefaultsAreShownAsPlaceholders() {
        assertTrue(ConfigReference.render().contains("`${java.io.tmpdir}/kbackup-state`"),
                "state.dir's default does not depend on the machine that built the docs");
    }
}
