package dev.kbackup.format;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

final class Lz4BlockDecompressor implements BlockDecompressor {

    /** Each byte of an lz4 block yields at most 255 bytes: a match-length byte of 255 is the best case. */
    private static final long MAX_EXPANSION = 255;

    // The safe decompressor checks every bound, so a corrupt frame cannot read or write out of range.
    private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();

    @Override
    public void decompress(byte[] source, int sourceLength, byte[] target, int targetLength) {
        int produced;
        try {
            produced = decompressor.decompress(source, 0, sourceLength, target, 0, targetLength);
        } catch (LZ4Exception e) {
            throw new IllegalArgumentException("lz4 block is malformed: " + e.getMessage(), e);
        }
        if (produced != targetLength) {
            throw new IllegalArgumentException(
                    "lz4 block decompressed to " + produced + " bytes, declared " + targetLength);
        }
    }

    @Override
    public void checkCanProduce(byte[] source, int sourceLength, int targetLength) {
        if (targetLength > MAX_EXPANSION * sourceLength) {
            throw new IllegalArgumentException("an lz4 block of " + sourceLength + " bytes cannot decompress to "
                    + targetLength + " bytes (lz4 expands at most " + MAX_EXPANSION + " times)");
        }
    }

    @Override
    public void close() {
    }
}
