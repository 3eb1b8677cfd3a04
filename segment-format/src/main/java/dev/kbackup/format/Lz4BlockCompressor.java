package dev.kbackup.format;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/** LZ4 block format (not the LZ4 frame format): the segment's block header already holds both lengths. */
final class Lz4BlockCompressor implements BlockCompressor {

    private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
    private byte[] output = new byte[0];

    @Override
    public Codec codec() {
        return Codec.LZ4;
    }

    @Override
    public Bytes compress(byte[] source, int length) {
        int bound = compressor.maxCompressedLength(length);
        if (output.length < bound) {
            output = new byte[bound];
        }
        int written = compressor.compress(source, 0, length, output, 0, bound);
        return new Bytes(output, written);
    }

    @Override
    public void close() {
    }
}
