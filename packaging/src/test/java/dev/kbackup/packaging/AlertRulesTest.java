package dev.kbackup.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rule file parses as a Prometheus rule file, and every alert is built only on series and labels our JMX
 * exporter rules produce (PluginInstallIT shows each of those series in a real scrape).
 */
class AlertRulesTest {

    static final Path RULES = RepoPaths.root().resolve("packaging/monitoring/kbackup-alerts.yaml");

    @Test
    void everyAlertIsWellFormedAndUsesOnlyTheSeriesOurRulesProduce() throws IOException {
        JsonNode groups = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile()).path("groups");
        assertTrue(groups.isArray() && groups.size() > 0, "groups");
        Set<String> alerts = new HashSet<>();
        Set<String> used = new TreeSet<>();
        for (JsonNode group : groups) {
            assertFalse(group.path("name").asText().isBlank(), "every group has a name");
            for (JsonNode rule : group.path("rules")) {
                String alert = rule.path("alert").asText();
                assertTrue(alert.matches("Kbackup[A-Za-z]+"), "alert name: " + alert);
                assertTrue(alerts.add(alert), "alert names are unique: " + alert);
                String expr = rule.path("expr").asText();
                Set<String> series = MonitoringSeries.seriesIn(expr);
                assertFalse(series.isEmpty(), alert + " is built on a kbackup series: " + expr);
                Set<String> unknown = new TreeSet<>(series);
                unknown.removeAll(MonitoringSeries.produced());
                assertEquals(Set.of(), unknown, alert + " names series our exporter rules do not produce");
                Set<String> labels = MonitoringSeries.groupingLabelsIn(expr);
                labels.removeAll(MonitoringSeries.LABELS);
                assertEquals(Set.of(), labels, alert + " groups by labels our series do not have");
                assertTrue(rule.path("for").isMissingNode() || rule.path("for").asText().matches("\\d+[smh]"),
                        alert + ": for");
                assertTrue(Set.of("critical", "warning").contains(rule.path("labels").path("severity").asText()),
                        alert + " has a severity");
                assertFalse(rule.path("annotations").path("summary").asText().isBlank(), alert + " summary");
                assertFalse(rule.path("annotations").path("description").asText().isBlank(), alert + " description");
                used.addAll(series);
            }
        }
        assertTrue(alerts.containsAll(Set.of("KbackupBackupNotCatchingUp", "KbackupStorageFailing",
                "KbackupStateSyncFailing", "KbackupRestoreStalled", "KbackupRestoreTaskGone")), alerts.toString());
        assertTrue(used.containsAll(Set.of("kbackup_backup_backup_lag", "kbackup_backup_storage_circuit_state",
                "kbackup_restore_restore_complete")), used.toString());
    }

    @Test
    void findsTheSeriesAndGroupingLabelsOfAnExpression() {
        String expr = "sum by (connector, topic) (kbackup_backup_backup_lag) > 0 and on (connector) "
                + "rate(kbackup_backup_segments_written_total[5m]) == 0";
        assertEquals(Set.of("kbackup_backup_backup_lag", "kbackup_backup_segments_written_total"),
                MonitoringSeries.seriesIn(expr));
        assertEquals(Set.of("connector", "topic"), MonitoringSeries.groupingLabelsIn(expr));
    }
}
