package dev.kbackup.layout;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A partition owner's decision that every segment whose newest record is older than {@code cutoffTimestamp} has
 * expired by retention ({@code retention.ms}), taken at {@code expiredAt}. Created once, never rewritten, under
 * {@code index/{topic}/partition={p}/E-{cutoff}-{expiredAtMillis}-{lastOffset}-{writer}.json}; the mark with the
 * highest cutoff wins. {@code lastOffset} is the highest offset the catalog knew when the mark was written, so that
 * the partition's end is still known when retention has deleted every catalog object that held it. Readers leave expired entries out from the moment the mark exists; their objects are deleted only after
 * {@code cleanup.grace.ms}, so that a restore planned just before can still read them.
 */
public record RetentionMark(String topic, int partition, long cutoffTimestamp, Instant expiredAt, long lastOffset,
                            String writer) {

    private static final Pattern KEY = Pattern.compile(".*/index/([A-Za-z0-9._-]+)/partition=(\\d{1,9})/"
            + "E-(-?\\d{1,19})-(\\d{1,19})-(-?\\d{1,19})-([a-z0-9]{1,32})\\.json");

    /** Whether a segment whose newest record is stamped {@code maxTimestamp} has expired by this mark. */
    public boolean expires(long maxTimestamp) {
        return maxTimestamp < cutoffTimestamp;
    }

    public String key(BackupLayout layout) {
        return layout.partitionIndexPrefix(topic, partition) + "E-" + cutoffTimestamp + "-" + expiredAt.toEpochMilli()
                + "-" + lastOffset + "-" + writer + ".json";
    }

    /** What {@code key} says about its retention mark, or empty if it is not a retention mark key. */
    public static Optional<RetentionMark> parse(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches() || !BackupLayout.isLegalTopic(m.group(1))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RetentionMark(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                    Instant.ofEpochMilli(Long.parseLong(m.group(4))), Long.parseLong(m.group(5)), m.group(6)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
