package dev.kbackup.encryption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.storage.ConfigProblem;

class EncryptionConfigKeysTest {

    private static final String KEY_A = base64(32, 1);
    private static final String KEY_B = base64(32, 2);

    @Test
    void definesTheThreeSettingsWithTheKeysAsPasswords() {
        ConfigDef def = EncryptionConfigKeys.define(new ConfigDef());
        assertEquals(List.of("encryption.key", "encryption.key.id", "encryption.previous.keys"),
                List.copyOf(def.configKeys().keySet()));
        assertEquals(ConfigDef.Type.PASSWORD, def.configKeys().get("encryption.key").type);
        assertEquals(ConfigDef.Type.PASSWORD, def.configKeys().get("encryption.previous.keys").type);
        assertEquals(ConfigDef.Type.STRING, def.configKeys().get("encryption.key.id").type);
    }

    @Test
    void nothingConfiguredMeansNoEncryption() {
        EncryptionKeys keys = EncryptionConfigKeys.keys(config(Map.of()));
        assertFalse(keys.encrypts());
        assertEquals(List.of(), keys.keyIds());
    }

    @Test
    void readsTheCurrentKeyAndThePreviousOnes() {
        EncryptionKeys keys = EncryptionConfigKeys.keys(config(Map.of("encryption.key", KEY_B,
                "encryption.key.id", "2026-11", "encryption.previous.keys", " 2026-10:" + KEY_A + " , old:" + KEY_A)));
        assertTrue(keys.encrypts());
        assertEquals("2026-11", keys.currentKeyId().orElseThrow());
        assertEquals(List.of("2026-11", "2026-10", "old"), keys.keyIds());
    }

    @Test
    void previousKeysAloneOnlyRead() {
        EncryptionKeys keys = EncryptionConfigKeys.keys(config(Map.of("encryption.previous.keys", "a:" + KEY_A)));
        assertFalse(keys.encrypts());
        assertEquals(List.of("a"), keys.keyIds());
    }

    @Test
    void reportsEachProblemOnItsSettingWithoutShowingAKey() {
        assertProblem(Map.of("encryption.key", KEY_A), "encryption.key.id", "is not");
        assertProblem(Map.of("encryption.key.id", "k"), "encryption.key", "is not set");
        assertProblem(Map.of("encryption.key", "not base64!", "encryption.key.id", "k"), "encryption.key",
                "not valid base64");
        assertProblem(Map.of("encryption.key", base64(16, 3), "encryption.key.id", "k"), "encryption.key",
                "decodes to 16 bytes");
        assertProblem(Map.of("encryption.key", KEY_A, "encryption.key.id", "a:b"), "encryption.key.id",
                "must not contain");
        assertProblem(Map.of("encryption.previous.keys", "just-a-key"), "encryption.previous.keys",
                "entry 1 of encryption.previous.keys is not 'id:base64key'");
        assertProblem(Map.of("encryption.previous.keys", "a:" + KEY_A + ",b:" + base64(31, 4)),
                "encryption.previous.keys", "entry 2 of encryption.previous.keys (id 'b'): the key is 31 bytes");
        assertProblem(Map.of("encryption.previous.keys", "a:" + KEY_A + ",a:" + KEY_B),
                "encryption.previous.keys", "given twice");
        assertProblem(Map.of("encryption.key", KEY_A, "encryption.key.id", "a", "encryption.previous.keys",
                "a:" + KEY_B), "encryption.previous.keys", "given twice");

        ConfigException e = assertThrows(ConfigException.class, () -> EncryptionConfigKeys.keys(
                config(Map.of("encryption.key", base64(16, 3), "encryption.key.id", "k"))));
        assertTrue(e.getMessage().startsWith("encryption.key: "), e.getMessage());
    }

    private static void assertProblem(Map<String, String> props, String name, String messagePart) {
        List<ConfigProblem> problems = EncryptionConfigKeys.problems(config(props));
        assertTrue(problems.stream().anyMatch(p -> p.name().equals(name) && p.message().contains(messagePart)),
                props.keySet() + " should report " + name + " ~ '" + messagePart + "' but reported " + problems);
        for (ConfigProblem problem : problems) {
            for (String key : List.of(KEY_A, KEY_B)) {
                assertFalse(problem.message().contains(key), "never shows key material: " + problem);
            }
        }
    }

    private static AbstractConfig config(Map<String, String> props) {
        return new AbstractConfig(EncryptionConfigKeys.define(new ConfigDef()), new HashMap<>(props), false);
    }

    private static String base64(int bytes, int seed) {
        byte[] key = new byte[bytes];
        new java.util.Random(seed).nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
