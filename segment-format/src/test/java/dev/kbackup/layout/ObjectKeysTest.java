package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Object keys are built only from validated names: nothing that reaches a key can leave its folder. */
class ObjectKeysTest {

    private static final BackupLayout LAYOUT = new BackupLayout("b1");
    private static final List<String> BAD_TOPICS = Arrays.asList(null, "", ".", "..", "../x", "a/b", "a\\b", "a b",
            "x/../../etc", "t\u0000", "a".repeat(250));

    @Test
    void everyKeyOfABackedUpPartitionRefusesAnIllegalTopicOrPartition() {
        for (String topic : BAD_TOPICS) {
            assertThrows(IllegalArgumentException.class, () -> LAYOUT.segmentKey(topic, 0, 0, Codec.ZSTD),
                    String.valueOf(topic));
            assertThrows(IllegalArgumentException.class, () -> LAYOUT.partitionSegmentsPrefix(topic, 0));
            assertThrows(IllegalArgumentException.class, () -> LAYOUT.partitionIndexPrefix(topic, 0));
            assertThrows(IllegalArgumentException.class, () -> LAYOUT.partitionCheckpointPrefix(topic, 0));
            assertThrows(IllegalArgumentException.class, () -> piece(topic, "w1").key(LAYOUT));
        }
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.segmentKey("orders", -1, 0, Codec.ZSTD));
        assertThrows(IllegalArgumentException.class, () -> piece("orders", "../w"));
        assertEquals("b1/topics/orders.v2_x-1/partition=3/segment-00000000000000000042.zst",
                LAYOUT.segmentKey("orders.v2_x-1", 3, 42, Codec.ZSTD));
    }

    @Test
    void parsingAKeyWithAnIllegalTopicFindsNothing() {
        assertTrue(CatalogObject.parse("b1/index/../partition=0/L0-00000000000000000000-00000000000000000001-0_1-1_1_1"
                + "-w1.json").isEmpty());
        assertFalse(CatalogObject.parse("b1/index/orders/partition=0/L0-00000000000000000000-00000000000000000001-0_1"
                + "-1_1_1-w1.json").isEmpty());
        assertFalse(BackupLayout.parseSegmentKey("b1/topics/orders/partition=0/segment-00000000000000000000.zst")
                .isEmpty());
    }

    @Test
    void aBackupIdMustBeOnePathElement() {
        for (String id : Arrays.asList(null, "", " ", ".", "..", "../x", "a/b", "/abs", ".hidden", "a b", "a\\b",
                "x".repeat(201))) {
            assertThrows(IllegalArgumentException.class, () -> new BackupLayout(id), String.valueOf(id));
        }
    }

    @Test
    void aRestoreOffsetMapRefusesAnIllegalTopicFromTheCatalog() {
        RestoreKeys keys = new RestoreKeys(LAYOUT, "restore-1");
        for (String topic : List.of("..", "../../x", "a/b", "")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> keys.offsetMapKey(new TopicPartition(topic, 0)), topic);
            assertTrue(refused.getMessage().contains("b1/restores/restore-1/offset-map/"), refused.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> keys.offsetMapKey(new TopicPartition("orders", -1)));
        assertEquals("b1/restores/restore-1/offset-map/orders/partition=2.json",
                keys.offsetMapKey(new TopicPartition("orders", 2)));
    }

    @Test
    void aConnectorNameBecomesOneSafePathElementOfTheRestoreKeys() {
        for (String name : List.of("../../evil", "a/b", "..", ".", "", "with space", "ü")) {
            String root = new RestoreKeys(LAYOUT, name).root();
            assertTrue(root.startsWith("b1/restores/"), root);
            String element = root.substring("b1/restores/".length(), root.length() - 1);
            assertFalse(element.contains("/") || element.startsWith("."), name + " -> " + element);
        }
        assertEquals("b1/restores/restore-1/", new RestoreKeys(LAYOUT, "restore-1").root());
    }

    @Test
    void aSinkStateFileNameIsOnePathElement() {
        for (String connector : List.of("../x", "a/b", "a\\b", ".hidden", "a\nb")) {
            assertThrows(IllegalArgumentException.class, () -> BackupLayout.taskStateFileName(connector, 0),
                    connector);
        }
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.stateKey("../manifest.json"));
        assertEquals("b1/state/orders backup-task-2.db",
                LAYOUT.stateKey(BackupLayout.taskStateFileName("orders backup", 2)));
    }

    private static CatalogObject piece(String topic, String writer) {
        return new CatalogObject(CatalogObject.Level.PIECE, topic, 0, 0, 1, 0, 1, 1, 1, 1, writer);
    }
}
