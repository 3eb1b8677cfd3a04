package dev.kbackup.format;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys of client-side encryption, by id: the current one, which wraps the fresh data key of every
 * segment written, and previous ones, which only unwrap the keys of segments written before a rotation. Key bytes
 * never leave this class and {@link #toString()} shows ids only. Thread-safe.
 */
public final class EncryptionKeys {

    /** No keys: segments are written unencrypted, and an encrypted segment cannot be read. */
    public static final EncryptionKeys NONE = new EncryptionKeys(null, Map.of());

    public static final int KEY_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    private final Map<String, SecretKey> keys;

    private EncryptionKeys(String currentId, Map<String, SecretKey> keys) {
        this.currentId = currentId;
        this.keys = Collections.unmodifiableMap(keys);
    }

    /**
     * Keys with {@code currentId} for writing (null: read only) and every key by id for reading; {@code byId} must
     * hold the current key. Each key is 32 bytes (AES-256).
     */
    public static EncryptionKeys of(String currentId, Map<String, byte[]> byId) {
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        byId.forEach((id, key) -> {
            checkId(id);
            if (key == null || key.length != KEY_BYTES) {
                throw new IllegalArgumentException("Key '" + id + "' is not " + KEY_BYTES + " bytes long");
            }
            keys.put(id, new SecretKeySpec(key, "AES"));
        });
        if (currentId != null && !keys.containsKey(currentId)) {
            throw new IllegalArgumentException("No key for the current key id '" + currentId + "'");
        }
        return new EncryptionKeys(currentId, keys);
    }

    /** Whether segments written with these keys are encrypted. */
    public boolean encrypts() {
        return currentId != null;
    }

    public Optional<String> currentKeyId() {
        return Optional.ofNullable(currentId);
    }

    /** Every key id that can open segments, the current one first. */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>(keys.keySet());
        if (currentId != null) {
            ids.remove(currentId);
            ids.add(0, currentId);
        }
        return ids;
    }

    /** A cipher with a fresh random data key, wrapped by the current master key, for one new segment. */
    BlockCipher newSegmentCipher() {
        if (currentId == null) {
            throw new IllegalStateException("No current encryption key to write with");
        }
        byte[] dataKey = new byte[KEY_BYTES];
        byte[] nonce = new byte[BlockCipher.NONCE_BYTES];
        RANDOM.nextBytes(dataKey);
        RANDOM.nextBytes(nonce);
        try {
            Cipher wrap = Cipher.getInstance("AES/GCM/NoPadding");
            wrap.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(BlockCipher.TAG_BYTES * 8, nonce));
            wrap.updateAAD(currentId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = wrap.doFinal(dataKey);
            byte[] wrapped = new byte[SegmentKeyRecord.WRAPPED_KEY_BYTES];
            System.arraycopy(nonce, 0, wrapped, 0, nonce.length);
            System.arraycopy(sealed, 0, wrapped, nonce.length, sealed.length);
            return new BlockCipher(new SecretKeySpec(dataKey, "AES"), new SegmentKeyRecord(currentId, wrapped));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not wrap a segment data key with AES-GCM", e);
        }
    }

    /**
     * The cipher of a segment written with {@code record}: its data key unwrapped with the master key of the
     * record's id.
     *
     * @throws SegmentKeyException naming the key id if no key has that id or the key under that id is another one
     */
    BlockCipher segmentCipher(SegmentKeyRecord record, String segment) {
        SecretKey master = keys.get(record.keyId());
        if (master == null) {
            throw new SegmentKeyException(segment, record.keyId(), "Segment " + segment + " is encrypted with master "
                    + "key id '" + record.keyId() + "', which is not configured (" + describeIds() + "): set "
                    + "encryption.key.id=" + record.keyId() + " with its encryption.key, or add '" + record.keyId()
                    + ":<base64 key>' to encryption.previous.keys", null);
        }
        byte[] wrapped = record.wrappedKey();
        try {
            Cipher unwrap = Cipher.getInstance("AES/GCM/NoPadding");
            unwrap.init(Cipher.DECRYPT_MODE, master, new GCMParameterSpec(BlockCipher.TAG_BYTES * 8, wrapped, 0,
                    BlockCipher.NONCE_BYTES));
            unwrap.updateAAD(record.keyId().getBytes(StandardCharsets.UTF_8));
            byte[] dataKey = unwrap.doFinal(wrapped, BlockCipher.NONCE_BYTES,
                    wrapped.length - BlockCipher.NONCE_BYTES);
            return new BlockCipher(new SecretKeySpec(dataKey, "AES"), record);
        } catch (AEADBadTagException e) {
            throw new SegmentKeyException(segment, record.keyId(), "Segment " + segment + " is encrypted with master "
                    + "key id '" + record.keyId() + "', but the key configured under that id does not open it: give "
                    + "the key that id had when the segment was written (encryption.key or encryption.previous.keys)",
                    null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not unwrap the data key of segment " + segment, e);
        }
    }

    private String describeIds() {
        return keys.isEmpty() ? "no encryption keys are configured" : "configured key ids: " + keyIds();
    }

    private static void checkId(String id) {
        Objects.requireNonNull(id, "key id");
        int length = id.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0 || length > SegmentKeyRecord.MAX_KEY_ID_BYTES) {
            throw new IllegalArgumentException("Key id '" + id + "' must be 1 to " + SegmentKeyRecord.MAX_KEY_ID_BYTES
                    + " bytes long");
        }
    }

    @Override
    public String toString() {
        return currentId == null && keys.isEmpty() ? "EncryptionKeys{none}"
                : "EncryptionKeys{current=" + currentId + ", ids=" + keyIds() + "}";
    }
}
