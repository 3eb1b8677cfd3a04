package dev.kbackup.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kbackup.metrics.TaskMetric;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed JMX exporter rules are what the declarations generate, and each rule matches its metric only. */
class JmxExporterRulesTest {

    @Test
    void committedRulesAreWhatTheDeclarationsGenerate() throws IOException {
        String committed = Files.readString(RepoPaths.root().resolve(JmxExporterRules.COMMITTED_PATH),
                StandardCharsets.UTF_8);
        assertEquals(JmxExporterRules.generate(), committed, JmxExporterRules.COMMITTED_PATH + " differs from "
                + "what the connectors' metric declarations generate. Regenerate it with: "
                + MetricReference.REGENERATE_COMMAND);
    }

    @Test
    void everyMetricHasOneRuleThatMatchesItsMBeanAttributeAsTheExporterPrintsIt() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(JmxExporterRules.generate()).path("rules");
        Set<String> names = new HashSet<>();
        int count = 0;
        for (Map.Entry<String, List<TaskMetric>> type : JmxExporterRules.METRICS_BY_CONNECTOR_TYPE.entrySet()) {
            for (TaskMetric metric : type.getValue()) {
                // the exporter matches "domain<key=value, ...><>attribute: value" against ^.*(?:pattern).*$
                String tags = metric.tags().isEmpty() ? "" : ", topic=orders.v2, partition=11";
                String sample = "kafka.connect<type=plugins, connector=nightly-backup, task=3" + tags + "><>"
                        + metric.name() + ": 42.0";
                List<JsonNode> matching = new ArrayList<>();
                rules.forEach(rule -> {
                    if (Pattern.compile("^.*(?:" + rule.path("pattern").asText() + ").*$").matcher(sample)
                            .matches()) {
                        matching.add(rule);
                    }
                });
                assertEquals(1, matching.size(), sample + " matches exactly one rule: " + matching);
                JsonNode rule = matching.get(0);
                assertEquals(metric.prometheusName(type.getKey()), rule.path("name").asText());
                assertEquals("$1", rule.path("labels").path("connector").asText());
                assertEquals("$2", rule.path("labels").path("task").asText());
                if (!metric.tags().isEmpty()) {
                    assertEquals("$3", rule.path("labels").path("topic").asText());
                    assertEquals("$4", rule.path("labels").path("partition").asText());
                }
                assertTrue(names.add(rule.path("name").asText()), "series names are unique: " + names);
                count++;
            }
        }
        assertEquals(count, rules.size(), "one rule per metric");
    }
}
