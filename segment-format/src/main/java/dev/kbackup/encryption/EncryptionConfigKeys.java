package dev.kbackup.encryption;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.storage.ConfigProblem;

/**
 * Adds the client-side encryption keys to a connector's {@link ConfigDef} and turns them into {@link EncryptionKeys}.
 * Every problem message names the setting and, for previous keys, the entry's position and id, never key material.
 */
public final class EncryptionConfigKeys {

    public static final String GROUP = "Encryption";

    public static final String KEY = "encryption.key";
    public static final String KEY_ID = "encryption.key.id";
    public static final String PREVIOUS_KEYS = "encryption.previous.keys";

    private static final int MAX_ID_BYTES = 255;
    private static final String GENERATE = "generate one with 'openssl rand -base64 32'";

    private static final String KEY_DOC = "Master key of client-side encryption: the base64 of 256 random bits ("
            + GENERATE + "). When set, every segment the backup writes gets a fresh data key, stored wrapped by this "
            + "key, and its record blocks are encrypted with AES-256-GCM after compression; the restore needs the "
            + "key to read them. Catalog, manifest and snapshot objects are not encrypted: they hold offsets, "
            + "timestamps, topic and group names, never record contents. Keep the key outside the connector config "
            + "with a config provider, e.g. '${file:/etc/kbackup/keys.properties:current}'. It is never logged. "
            + "Empty: segments are not encrypted.";
    private static final String KEY_ID_DOC = "Name of " + KEY + ", recorded with each segment it encrypts so that a "
            + "restore can tell which key a segment needs, e.g. '2026-11'. Required with " + KEY + ". Up to "
            + MAX_ID_BYTES + " bytes, no ':', ',' or whitespace. Give each new key a new id.";
    private static final String PREVIOUS_KEYS_DOC = "Keys that encrypted segments before a key rotation, as "
            + "'id:base64key' pairs separated by commas, e.g. '2026-10:AbC...=,2026-09:XyZ...='. They are used only "
            + "to read: a restore opens each segment with the key whose id the segment records. Never logged; use a "
            + "config provider.";

    private EncryptionConfigKeys() {
    }

    /** Adds the encryption settings to {@code def}, in group {@value #GROUP}, and returns it. */
    public static ConfigDef define(ConfigDef def) {
        int order = 0;
        def.define(KEY, Type.PASSWORD, null, Importance.MEDIUM, KEY_DOC, GROUP, ++order, Width.LONG,
                "Encryption master key");
        def.define(KEY_ID, Type.STRING, null, Importance.MEDIUM, KEY_ID_DOC, GROUP, ++order, Width.SHORT,
                "Encryption key id");
        def.define(PREVIOUS_KEYS, Type.PASSWORD, null, Importance.LOW, PREVIOUS_KEYS_DOC, GROUP, ++order,
                Width.LONG, "Previous encryption keys");
        return def;
    }

    /**
     * The keys a config whose definition includes {@link #define} holds.
     *
     * @throws ConfigException naming the first problem, if there is one (see {@link #problems})
     */
    public static EncryptionKeys keys(AbstractConfig config) {
        Parsed parsed = parse(config.getPassword(KEY), config.getString(KEY_ID), config.getPassword(PREVIOUS_KEYS));
        if (!parsed.problems.isEmpty()) {
            ConfigProblem first = parsed.problems.get(0);
            throw new ConfigException(first.name() + ": " + first.message());
        }
        return EncryptionKeys.of(parsed.currentId, parsed.keys);
    }

    /** What is wrong with the encryption settings, each on the setting to change; empty if they are usable. */
    public static List<ConfigProblem> problems(AbstractConfig config) {
        return parse(config.getPassword(KEY), config.getString(KEY_ID), config.getPassword(PREVIOUS_KEYS)).problems;
    }

    private record Parsed(String currentId, Map<String, byte[]> keys, List<ConfigProblem> problems) {
    }

    private static Parsed parse(Password key, String keyId, Password previous) {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, byte[]> keys = new LinkedHashMap<>();
        String id = keyId == null || keyId.isBlank() ? null : keyId.trim();
        String keyText = key == null || key.value() == null || key.value().isBlank() ? null : key.value().trim();
        String currentId = null;
        if (keyText != null && id == null) {
            problems.add(new ConfigProblem(KEY_ID, KEY + " is set but " + KEY_ID + " is not: name the key (e.g. "
                    + "'2026-11') so that each segment records which key it needs"));
        } else if (keyText == null && id != null) {
            problems.add(new ConfigProblem(KEY, KEY_ID + " is '" + id + "' but " + KEY + " is not set: give the "
                    + "base64 key (" + GENERATE + "), or remove " + KEY_ID));
        } else if (keyText != null) {
            String idProblem = idProblem(id);
            byte[] bytes = decode(keyText);
            if (idProblem != null) {
                problems.add(new ConfigProblem(KEY_ID, "'" + id + "' " + idProblem));
            }
            if (bytes == null) {
                problems.add(new ConfigProblem(KEY, KEY + " is not valid base64: " + GENERATE));
            } else if (bytes.length != EncryptionKeys.KEY_BYTES) {
                problems.add(new ConfigProblem(KEY, KEY + " decodes to " + bytes.length + " bytes; it must be a "
                        + "256-bit key (32 bytes, 44 base64 characters): " + GENERATE));
            } else if (idProblem == null) {
                keys.put(id, bytes);
                currentId = id;
            }
        }
        parsePrevious(previous, keys, problems);
        return new Parsed(problems.isEmpty() ? currentId : null, keys, problems);
    }

    private static void parsePrevious(Password previous, Map<String, byte[]> keys, List<ConfigProblem> problems) {
        String text = previous == null || previous.value() == null ? "" : previous.value().trim();
        if (text.isEmpty()) {
            return;
        }
        String[] entries = text.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            int colon = entry.indexOf(':');
            String where = "entry " + (i + 1) + " of " + PREVIOUS_KEYS;
            if (colon <= 0 || colon == entry.length() - 1) {
                problems.add(new ConfigProblem(PREVIOUS_KEYS, where + " is not 'id:base64key'; write the keys as "
                        + "'id1:key1,id2:key2'"));
                continue;
            }
            String id = entry.substring(0, colon).trim();
            String idProblem = idProblem(id);
            byte[] bytes = decode(entry.substring(colon + 1).trim());
            if (idProblem != null) {
                problems.add(new ConfigProblem(PREVIOUS_KEYS, where + ": key id '" + id + "' " + idProblem));
            } else if (bytes == null || bytes.length != EncryptionKeys.KEY_BYTES) {
                problems.add(new ConfigProblem(PREVIOUS_KEYS, where + " (id '" + id + "'): the key is "
                        + (bytes == null ? "not valid base64" : bytes.length + " bytes, not 32")
                        + "; it must be the base64 of a 256-bit key"));
            } else if (keys.containsKey(id) && !Arrays.equals(keys.get(id), bytes)) {
                problems.add(new ConfigProblem(PREVIOUS_KEYS, where + ": key id '" + id + "' is given twice with "
                        + "different keys; a key id must always name the same key"));
            } else {
                keys.put(id, bytes);
            }
        }
    }

    private static String idProblem(String id) {
        if (id.isEmpty()) {
            return "is empty";
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            return "is longer than " + MAX_ID_BYTES + " bytes";
        }
        if (id.indexOf(':') >= 0 || id.indexOf(',') >= 0 || id.chars().anyMatch(Character::isWhitespace)) {
            return "must not contain ':', ',' or whitespace";
        }
        return null;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
