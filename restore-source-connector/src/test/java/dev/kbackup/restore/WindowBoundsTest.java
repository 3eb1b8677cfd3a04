package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowBoundsTest {

    @Test
    void acceptsEpochMillisAndIsoInstantsWithAZone() {
        assertEquals(1_763_892_000_000L, WindowBounds.parse("k", "1763892000000"));
        assertEquals(1_795_428_000_000L, WindowBounds.parse("k", "2026-11-23T10:00:00Z"));
        assertEquals(1_795_428_000_250L, WindowBounds.parse("k", "2026-11-23T11:00:00.25+01:00"));
        assertEquals(-5L, WindowBounds.parse("k", " -5 "));
    }

    @Test
    void absentBoundsAreOpen() {
        assertEquals(TimeWindow.ALL, WindowBounds.window(null, ""));
        assertEquals(new TimeWindow(10, Long.MAX_VALUE), WindowBounds.window("10", null));
    }

    @Test
    void anUnsetEndIsUnboundedUpToAndIncludingTheLargestTimestamp() {
        TimeWindow open = WindowBounds.window("10", null);

        assertTrue(open.contains(Long.MAX_VALUE), "a record stamped Long.MAX_VALUE is inside an open-ended window");
        assertTrue(open.overlaps(Long.MAX_VALUE, Long.MAX_VALUE), "a segment of such records is planned");
        assertTrue(TimeWindow.ALL.contains(Long.MAX_VALUE));
        assertTrue(TimeWindow.ALL.contains(Long.MIN_VALUE));
        assertFalse(new TimeWindow(10, 20).contains(20), "a set end stays exclusive");
        assertFalse(new TimeWindow(10, 20).overlaps(20, Long.MAX_VALUE));
    }

    @Test
    void rejectsTimesWithoutZoneOrWithSubMillisecondDigits() {
        ConfigException noZone = assertThrows(ConfigException.class,
                () -> WindowBounds.parse(RestoreConfig.TIME_START, "2026-11-23T10:00:00"));
        assertTrue(noZone.getMessage().contains("restore.time.start"), noZone.getMessage());
        assertTrue(noZone.getMessage().contains("2026-11-23T10:00:00Z"), noZone.getMessage());
        ConfigException micros = assertThrows(ConfigException.class,
                () -> WindowBounds.parse(RestoreConfig.TIME_END, "2026-11-23T10:00:00.0001Z"));
        assertTrue(micros.getMessage().contains("millisecond"), micros.getMessage());
        assertThrows(ConfigException.class, () -> WindowBounds.parse("k", "yesterday"));
    }

    @Test
    void rejectsAnEndBeforeTheStart() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> WindowBounds.window("2026-11-23T10:00:00Z", "2026-11-23T09:59:59.999Z"));
        assertTrue(error.getMessage().contains(RestoreConfig.TIME_END), error.getMessage());
        assertEquals(new TimeWindow(5, 5), WindowBounds.window("5", "5"));
    }
}
