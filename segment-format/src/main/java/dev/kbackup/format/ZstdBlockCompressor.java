package dev.kbackup.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

/** zstd with one reused native context, so a block costs no allocation beyond a growing output buffer. */
final class ZstdBlockCompressor implements BlockCompressor {

    private final ZstdCompressCtx context = new ZstdCompressCtx();
    private byte[] output = new byte[0];

    ZstdBlockCompressor(int level) {
        if (level < Codec.ZSTD_MIN_LEVEL || level > Codec.ZSTD_MAX_LEVEL) {
            context.close();
            throw new IllegalArgumentException("zstd level " + level + " is outside "
                    + Codec.ZSTD_MIN_LEVEL + ".." + Codec.ZSTD_MAX_LEVEL);
        }
        context.setLevel(level);
        // Blocks carry their own CRC32C; the frame checksum would be a second one.
        context.setChecksum(false);
        context.setContentSize(true);
    }

    @Override
    public Codec codec() {
        return Codec.ZSTD;
    }

    @Override
    public Bytes compress(byte[] source, int length) {
        int bound = (int) Math.min(Integer.MAX_VALUE - 16, Zstd.compressBound(length));
        if (output.length < bound) {
            output = new byte[bound];
        }
        int written = context.compressByteArray(output, 0, output.length, source, 0, length);
        return new Bytes(output, written);
    }

    @Override
    public void close() {
        context.close();
    }
}
