package dev.kbackup.packaging;

import dev.kbackup.restore.RestoreConfig;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConfig;
import dev.kbackup.sink.BackupSinkConnector;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the configuration reference of both connectors as Markdown, straight from their ConfigDefs: one table
 * per group with name, type, default, valid values, importance and documentation. The build writes it into the
 * plugin archives' doc/ folder; docs/configuration.md is a committed copy that a test keeps equal to it.
 */
public final class ConfigReference {

    /** The one command that rewrites the committed copy. */
    public static final String REGENERATE_COMMAND = "mvn -B -q -pl packaging -am process-test-classes -Pupdate-docs";

    private static final String TMPDIR_PLACEHOLDER = "${java.io.tmpdir}";

    private ConfigReference() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ConfigReference OUTPUT_FILE");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        Files.writeString(output, render(), StandardCharsets.UTF_8);
    }

    /** The whole reference, the same on every machine. */
    public static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n")
                .append("<!-- Generated from the connectors' ConfigDefs by dev.kbackup.packaging.ConfigReference. ")
                .append("Do not edit: run `").append(REGENERATE_COMMAND).append("`. -->\n\n")
                .append("Every setting of the two connectors, generated from their `ConfigDef`s during the build. ")
                .append("The same text is in the plugin archive's `doc/configuration.md`.\n\n")
                .append("- [Backup sink connector](#backup-sink-connector): `")
                .append(BackupSinkConnector.class.getName()).append("`\n")
                .append("- [Restore source connector](#restore-source-connector): `")
                .append(RestoreSourceConnector.class.getName()).append("`\n")
                .append("- [Connect settings both connectors require](#connect-settings-both-connectors-require)\n\n")
                .append("Types: `PASSWORD` values are hidden by Connect in its REST API and logs; set them with a ")
                .append("config provider such as `${env:...}` or `${file:...}` (see ")
                .append("[examples/](../examples/)). A default of *required* means the connector does not start ")
                .append("without it; an empty cell means no value.\n\n");
        section(out, "Backup sink connector", BackupSinkConnector.class, BackupSinkConfig.CONFIG_DEF);
        section(out, "Restore source connector", RestoreSourceConnector.class, RestoreConfig.CONFIG_DEF);
        out.append("## Connect settings both connectors require\n\n")
                .append("These belong to Connect, not to the connectors' ConfigDefs, but `validate()` of both ")
                .append("connectors rejects a config without them: the connectors move raw bytes, and any other ")
                .append("converter (including the worker's default) would re-encode them.\n\n")
                .append("| Name | Value |\n|---|---|\n")
                .append("| `key.converter` | `org.apache.kafka.connect.converters.ByteArrayConverter` |\n")
                .append("| `value.converter` | `org.apache.kafka.connect.converters.ByteArrayConverter` |\n")
                .append("| `header.converter` | `org.apache.kafka.connect.converters.ByteArrayConverter` |\n\n")
                .append("For the backup also set `consumer.override.isolation.level=read_committed` (the worker ")
                .append("needs `connector.client.config.override.policy=All` or `Principal`), so that records of ")
                .append("aborted transactions are not backed up; the connector logs a warning without it.\n");
        return out.toString();
    }

    private static void section(StringBuilder out, String title, Class<?> connector, ConfigDef def) {
        out.append("## ").append(title).append("\n\n")
                .append("`connector.class=").append(connector.getName()).append("`\n\n");
        Map<String, List<ConfigKey>> groups = new LinkedHashMap<>();
        def.groups().forEach(group -> groups.put(group, new ArrayList<>()));
        for (ConfigKey key : def.configKeys().values()) {
            groups.computeIfAbsent(key.group == null ? "Other" : key.group, g -> new ArrayList<>()).add(key);
        }
        groups.forEach((group, keys) -> {
            if (keys.isEmpty()) {
                return;
            }
            keys.sort(Comparator.comparingInt((ConfigKey key) -> key.orderInGroup));
            out.append("### ").append(title.startsWith("Backup") ? "Backup sink: " : "Restore source: ").append(group)
                    .append("\n\n")
                    .append("| Name | Type | Default | Valid values | Importance | Description |\n")
                    .append("|---|---|---|---|---|---|\n");
            for (ConfigKey key : keys) {
                out.append("| `").append(key.name).append("` | ")
                        .append(key.type.name()).append(" | ")
                        .append(cell(defaultValue(key))).append(" | ")
                        .append(cell(key.validator == null ? "" : key.validator.toString())).append(" | ")
                        .append(key.importance.name()).append(" | ")
                        .append(cell(key.documentation)).append(" |\n");
            }
            out.append('\n');
        });
    }

    private static String defaultValue(ConfigKey key) {
        if (!key.hasDefault()) {
            return "*required*";
        }
        if (key.defaultValue == null) {
            return "";
        }
        String value = ConfigDef.convertToString(key.defaultValue, key.type);
        if (value.isEmpty()) {
            return "\"\"";
        }
        // machine-dependent defaults (state.dir) must not make the reference differ between machines
        String tmpdir = Path.of(System.getProperty("java.io.tmpdir")).toString();
        if (value.startsWith(tmpdir)) {
            value = TMPDIR_PLACEHOLDER + value.substring(tmpdir.length());
        }
        return "`" + value + "`";
    }

    // shared with MetricReference: one way to put text into a Markdown table cell
    static String cell(String text) {
        return text == null ? "" : text.replace("\r", "").replace("\n", " ").replace("|", "\\|").trim();
    }
}
