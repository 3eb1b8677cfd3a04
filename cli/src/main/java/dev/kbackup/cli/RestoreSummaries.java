package dev.kbackup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The completion summaries that restores of a backup wrote under {@code {backup.id}/restores/{connector}/}. Read as
 * plain JSON (the restore connector owns their shape; the CLI shows the fields every summary has).
 */
final class RestoreSummaries {

    private static final Pattern SUMMARY_KEY = Pattern.compile(".*/restores/[^/]+/summary-task-\\d+\\.json");

    /** One task's summary; {@code summary} is the whole JSON document as written. */
    record RestoreRun(String key, String connector, int task, Instant completedAt, String window, long records,
                      long recordsThisRun, long bytes, long durationMs, int skippedSegments, int missingRanges,
                      JsonNode summary) {
    }

    private RestoreSummaries() {
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static List<RestoreRun> read(ObjectStore store, BackupLayout layout) {
        ObjectMapper mapper = new ObjectMapper();
        List<RestoreRun> runs = new ArrayList<>();
        store.list(layout.restoresPrefix(), null).forEachRemaining(object -> {
            if (!SUMMARY_KEY.matcher(object.key()).matches()) {
                return;
            }
            store.readIfExists(object.key()).ifPresent(bytes -> {
                JsonNode json;
                try {
                    json = mapper.readTree(bytes);
                } catch (IOException e) {
                    throw new IllegalStateException("Restore summary " + object.key() + " in " + store.describe()
                            + " is not JSON: " + e.getMessage(), e);
                }
                runs.add(new RestoreRun(object.key(), json.path("connector").asText(), json.path("task").asInt(),
                        instant(json.path("completedAt").asText(null)), json.path("window").asText(null),
                        json.path("records").asLong(), json.path("recordsThisRun").asLong(),
                        json.path("bytes").asLong(), json.path("durationMs").asLong(),
                        json.path("skippedSegments").size(), json.path("missingOffsets").size(), json));
            });
        });
        return runs;
    }
}
