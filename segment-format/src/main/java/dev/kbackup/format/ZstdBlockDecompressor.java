package dev.kbackup.format;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

final class ZstdBlockDecompressor implements BlockDecompressor {

    private final ZstdDecompressCtx context = new ZstdDecompressCtx();

    @Override
    public void decompress(byte[] source, int sourceLength, byte[] target, int targetLength) {
        int produced;
        try {
            produced = context.decompressByteArray(target, 0, targetLength, source, 0, sourceLength);
        } catch (ZstdException e) {
            throw new IllegalArgumentException("zstd frame is malformed: " + e.getMessage(), e);
        }
        if (produced != targetLength) {
            throw new IllegalArgumentException(
                    "zstd frame decompressed to " + produced + " bytes, declared " + targetLength);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
