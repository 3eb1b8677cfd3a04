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
        public void checkCanProduce(byte[] source, int sourceLength, int targetLength) {
            if (sourceLength != targetLength) {
                throw new IllegalArgumentException(
                        "stored length " + sourceLength + " differs from declared length " + targetLength);
            }
        }

        @Override
        public void close() {
        }
    };

    /**
     * Checks, before anything is allocated for it, that the frame {@code source[0, sourceLength)} can decompress to
     * {@code targetLength} bytes at all, so a corrupt declared length costs no memory.
     *
     * @throws IllegalArgumentException if it cannot
     */
    void checkCanProduce(byte[] source, int sourceLength, int targetLength);

    /**
     * Fills {@code target[0, targetLength)} from the frame {@code source[0, sourceLength)}.
     *
     * @throws IllegalArgumentException if the frame is malformed or does not decompress to exactly targetLength bytes
     */
    void decompress(byte[] source, int sourceLength, byte[] target, int targetLength);

    @Override
    void close();
}
