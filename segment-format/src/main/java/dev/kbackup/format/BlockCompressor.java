package dev.kbackup.format;

/**
 * Compresses whole blocks, one independent frame per block. Implementations keep native contexts and output
 * buffers between calls, so they are not thread-safe; close them when done.
 */
public interface BlockCompressor extends AutoCloseable {

    /** Passes blocks through unchanged. */
    BlockCompressor NONE = new BlockCompressor() {
        @Override
        public Codec codec() {
            return Codec.NONE;
        }

        @Override
        public Bytes compress(byte[] source, int length) {
            return new Bytes(source, length);
        }

        @Override
        public void close() {
        }
    };

    Codec codec();

    /** Compresses {@code source[0, length)}; the result may share an internal buffer valid until the next call. */
    Bytes compress(byte[] source, int length);

    @Override
    void close();

    /** The first {@code length} bytes of {@code array}. */
    record Bytes(byte[] array, int length) {
    }
}
