package dev.kbackup.format;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What an encrypted segment stores about its data key: the id of the master key that wrapped it and the wrapped key
 * (nonce, encrypted key and GCM tag). It is written twice, after the segment header for streaming readers and in
 * the footer for readers that seek; see docs/segment-format.md, "Encryption".
 */
public record SegmentKeyRecord(String keyId, byte[] wrappedKey) {

    /** The only wrap algorithm so far: AES-256-GCM, 12-byte nonce, 128-bit tag, key id as associated data. */
    static final int WRAP_AES_256_GCM = 1;
    /** nonce(12) + encrypted data key(32) + tag(16). */
    static final int WRAPPED_KEY_BYTES = 12 + 32 + 16;
    static final int MAX_KEY_ID_BYTES = 255;

    public SegmentKeyRecord {
        wrappedKey = wrappedKey.clone();
    }

    @Override
    public byte[] wrappedKey() {
        return wrappedKey.clone();
    }

    /** The record's bytes: wrap algorithm(u8), key id length(u8), key id (UTF-8), wrapped key length(u8), key. */
    byte[] encode() {
        byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(3 + id.length + wrappedKey.length)
                .put((byte) WRAP_AES_256_GCM)
                .put((byte) id.length).put(id)
                .put((byte) wrappedKey.length).put(wrappedKey)
                .array();
    }

    /** Parses the bytes {@link #encode()} wrote; {@code position} locates them in the segment for the error. */
    static SegmentKeyRecord parse(String segment, byte[] bytes, long position) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int algorithm = Byte.toUnsignedInt(buffer.get());
            if (algorithm != WRAP_AES_256_GCM) {
                throw new CorruptSegmentException(segment, -1, position, "unknown key wrap algorithm " + algorithm
                        + " in the segment's key record; this reader knows " + WRAP_AES_256_GCM + " (AES-256-GCM)");
            }
            byte[] id = new byte[Byte.toUnsignedInt(buffer.get())];
            buffer.get(id);
            byte[] wrapped = new byte[Byte.toUnsignedInt(buffer.get())];
            buffer.get(wrapped);
            if (id.length == 0 || wrapped.length != WRAPPED_KEY_BYTES || buffer.hasRemaining()) {
                throw new CorruptSegmentException(segment, -1, position, "malformed key record (key id of "
                        + id.length + " bytes, wrapped key of " + wrapped.length + " bytes, " + buffer.remaining()
                        + " bytes left)");
            }
            return new SegmentKeyRecord(new String(id, StandardCharsets.UTF_8), wrapped);
        } catch (BufferUnderflowException e) {
            throw new CorruptSegmentException(segment, -1, position, "key record is shorter than its fields", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SegmentKeyRecord that && keyId.equals(that.keyId)
                && Arrays.equals(wrappedKey, that.wrappedKey);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode() * 31 + Arrays.hashCode(wrappedKey);
    }

    @Override
    public String toString() {
        return "SegmentKeyRecord{keyId=" + keyId + "}";
    }
}
