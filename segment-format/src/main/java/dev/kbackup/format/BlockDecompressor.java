package dev.kbackup.format;

/** Decompresses one block frame into a buffer of the known uncompressed length. Not thread-safe. */
public interface BlockDecompressor extends AutoCloseable {

    BlockDecompressor NONE = new BlockDecompressor() {
        @Override
        public void decompress(byte[] source, int sourceLength, byte[] target, int targetLength) {
            if (sourceLength != targetLength) {
                throw new IllegalArgumentException(
                        "stored length " + sourceLength + " differs from declared length " + targetLength);
            }
            System.arraycopy(source, 0, target, 0, sourceLength);
        }

        @Override
        public void close() {
        }
    };

    /**
     * Fills {@code target[0, targetLength)} from the frame {@code source[0, sourceLength)}.
     *
     * @throws IllegalArgumentException if the frame is malformed or does not decompress to exactly targetLength bytes
     */
    void decompress(byte[] source, int sourceLength, byte[] target, int targetLength);

    @Override
    void close();
}
