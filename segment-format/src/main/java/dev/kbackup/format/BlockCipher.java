package dev.kbackup.format;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts and decrypts the payloads of one segment's blocks with its data key (AES-256-GCM, JCA). The nonce is the
 * block number, unique because every segment has a fresh data key; the associated data is the segment's wrapped key,
 * the block number and the block header's fields, so a block altered, reordered or moved from another segment fails
 * authentication. Not thread-safe, like the writer and reader that own it.
 */
final class BlockCipher {

    static final int TAG_BYTES = 16;
    static final int NONCE_BYTES = 12;
    /** Block header bytes bound as associated data: codec through max timestamp (after the marker, before CRCs). */
    static final int BOUND_HEADER_FROM = 1;
    static final int BOUND_HEADER_TO = 46;

    private final SecretKey dataKey;
    private final SegmentKeyRecord keyRecord;
    private final byte[] keyRecordBytes;
    private final Cipher cipher;
    private byte[] output = new byte[0];

    BlockCipher(SecretKey dataKey, SegmentKeyRecord keyRecord) {
        this.dataKey = dataKey;
        this.keyRecord = keyRecord;
        this.keyRecordBytes = keyRecord.encode();
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM offers no AES/GCM/NoPadding, which every Java platform must", e);
        }
    }

    int bufferBytes() {
        return output.length;
    }

    SegmentKeyRecord keyRecord() {
        return keyRecord;
    }

    /**
     * Encrypts {@code plain[0, length)} as block {@code blockIndex} whose header bytes are {@code header}; the result
     * (ciphertext and tag, {@code length + TAG_BYTES} bytes) is valid until the next call.
     */
    byte[] seal(int blockIndex, byte[] header, byte[] plain, int length) {
        output = grown(output, length + TAG_BYTES);
        try {
            init(Cipher.ENCRYPT_MODE, blockIndex, header);
            cipher.doFinal(plain, 0, length, output, 0);
            return output;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption of block " + blockIndex + " failed", e);
        }
    }

    /**
     * Decrypts {@code stored[0, length)} of block {@code blockIndex} into a buffer valid until the next call, whose
     * first {@code length - TAG_BYTES} bytes are the compressed payload.
     *
     * @throws AEADBadTagException if the block, its header or its place in the segment is not what was sealed
     */
    byte[] open(int blockIndex, byte[] header, byte[] stored, int length) throws AEADBadTagException {
        output = grown(output, Math.max(0, length - TAG_BYTES));
        try {
            init(Cipher.DECRYPT_MODE, blockIndex, header);
            cipher.doFinal(stored, 0, length, output, 0);
            return output;
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption of block " + blockIndex + " failed", e);
        }
    }

    private void init(int mode, int blockIndex, byte[] header) throws GeneralSecurityException {
        byte[] nonce = ByteBuffer.allocate(NONCE_BYTES).putInt(0).putLong(blockIndex).array();
        cipher.init(mode, dataKey, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        cipher.updateAAD(keyRecordBytes);
        cipher.updateAAD(ByteBuffer.allocate(4).putInt(blockIndex).array());
        cipher.updateAAD(header, BOUND_HEADER_FROM, BOUND_HEADER_TO - BOUND_HEADER_FROM);
    }

    private static byte[] grown(byte[] buffer, int needed) {
        return buffer.length >= needed ? buffer : Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
    }
}
