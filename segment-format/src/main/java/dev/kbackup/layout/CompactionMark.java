package dev.kbackup.layout;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A partition owner's record that compaction has settled every entry below {@code settledBelow}: nothing there
 * can join a future merge and no merged segment there still has sources to delete. Compaction reads only the
 * catalog objects reaching {@code settledBelow} or beyond, so its cost follows the unsettled recent history, not
 * the backup's age. Created once, never rewritten, under
 * {@code index/{topic}/partition={p}/K-{settledBelow:020d}-{writer}.json} (empty); the highest wins and older ones
 * are deleted. Readers of the catalog ignore it.
 */
public record CompactionMark(String topic, int partition, long settledBelow, String writer) {

    private static final Pattern KEY = Pattern.compile(".*/index/([A-Za-z0-9._-]+)/partition=(\\d{1,9})/"
            + "K-(\\d{20})-([a-z0-9]{1,32})\\.json");

    public String key(BackupLayout layout) {
        return layout.partitionIndexPrefix(topic, partition) + "K-" + String.format("%020d", settledBelow) + "-"
                + writer + ".json";
    }

    /** What {@code key} says about its compaction mark, or empty if it is not a compaction mark key. */
    public static Optional<CompactionMark> parse(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches() || !BackupLayout.isLegalTopic(m.group(1))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new CompactionMark(m.group(1), Integer.parseInt(m.group(2)),
                    Long.parseLong(m.group(3)), m.group(4)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
