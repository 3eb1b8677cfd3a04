package dev.kbackup.packaging;

import dev.kbackup.metrics.TaskMetric;
import dev.kbackup.restore.RestoreMetricNames;
import dev.kbackup.sink.BackupSinkMetricNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Fills the metric tables of docs/monitoring.md from the connectors' metric declarations
 * ({@link BackupSinkMetricNames}, {@link RestoreMetricNames}). Only the text between a table's markers is
 * generated; the prose around it (what to alert on) is written by hand. A test keeps the committed file equal to
 * what this generates.
 */
public final class MetricReference {

    /** The one command that rewrites the committed copy (the same as for the configuration reference). */
    public static final String REGENERATE_COMMAND = ConfigReference.REGENERATE_COMMAND;
    static final String SINK_BEGIN = "<!-- generated from dev.kbackup.sink.BackupSinkMetricNames -->";
    static final String RESTORE_BEGIN = "<!-- generated from dev.kbackup.restore.RestoreMetricNames -->";
    static final String END = "<!-- end of generated table -->";
    private static final String DO_NOT_EDIT = "<!-- Do not edit this table: change the declarations and run `"
            + REGENERATE_COMMAND + "`. -->\n";

    private MetricReference() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: MetricReference MONITORING_MD OUTPUT_FILE");
            System.exit(2);
        }
        Path input = Path.of(args[0]);
        Path output = Path.of(args[1]);
        String filled = fill(Files.readString(input, StandardCharsets.UTF_8), input.toString());
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        Files.writeString(output, filled, StandardCharsets.UTF_8);
    }

    /** {@code document} with both metric tables replaced by what the declarations generate. */
    public static String fill(String document, String documentName) {
        String filled = replace(document, documentName, SINK_BEGIN, table(JmxExporterRules.BACKUP, BackupSinkMetricNames.ALL));
        return replace(filled, documentName, RESTORE_BEGIN, table(JmxExporterRules.RESTORE, RestoreMetricNames.ALL));
    }

    /**
     * One row per metric: JMX attribute name, the Prometheus series our exporter rules make of it, its own tags,
     * kind, unit and meaning.
     */
    static String table(String connectorType, List<TaskMetric> metrics) {
        StringBuilder out = new StringBuilder("| Metric | Prometheus series | Tags | Type | Unit | Meaning |\n"
                + "|---|---|---|---|---|---|\n");
        for (TaskMetric metric : metrics) {
            out.append("| `").append(metric.name()).append("` | `").append(metric.prometheusName(connectorType))
                    .append("` | ")
                    .append(metric.tags().stream().map(tag -> "`" + tag + "`").collect(Collectors.joining(", ")))
                    .append(" | ").append(metric.kind().label())
                    .append(" | ").append(ConfigReference.cell(metric.unit()))
                    .append(" | ").append(ConfigReference.cell(metric.description())).append(" |\n");
        }
        return out.toString();
    }

    private static String replace(String document, String documentName, String begin, String table) {
        int start = document.indexOf(begin);
        int end = start < 0 ? -1 : document.indexOf(END, start);
        if (start < 0 || end < 0) {
            throw new IllegalStateException(documentName + " lacks the markers of a generated metric table: a line "
                    + begin + ", then a line " + END + ". Put them back where the table belongs.");
        }
        return document.substring(0, start + begin.length()) + "\n" + DO_NOT_EDIT + table + document.substring(end);
    }
}
