package dev.kbackup.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

final class ZstdBlockDecompressor implements BlockDecompressor {

    /** A zstd block of 4 bytes (3 of header, 1 repeated byte) yields at most 128 KiB. */
    private static final long MAX_EXPANSION = 32 * 1024;

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
    public void checkCanProduce(byte[] source, int sourceLength, int targetLength) {
        if (sourceLength == 0 || targetLength > MAX_EXPANSION * sourceLength) {
            throw new IllegalArgumentException("a zstd frame of " + sourceLength + " bytes cannot decompress to "
                    + targetLength + " bytes (zstd expands at most " + MAX_EXPANSION + " times)");
        }
        long declared = Zstd.getFrameContentSize(source, 0, sourceLength);
        if (declared != targetLength) {
            throw new IllegalArgumentException("zstd frame header declares " + (declared < 0
                    ? "no valid content size" : declared + " bytes") + ", the block header " + targetLength);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
