package dev.kbackup.bench.codec;

import com.github.luben.zstd.ZstdOutputStream;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockEncoder;
import dev.kbackup.format.Codec;
import dev.kbackup.format.RawBlock;
import dev.kbackup.format.SegmentFormat;
import dev.kbackup.format.SegmentWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * What zstd can do with the data when nothing is cut: the records in the segment's record encoding, as one zstd
 * frame at the same level, next to the segment's size (1 MiB blocks, one frame each, plus headers and footer).
 * Both ratios share the numerator (encoded record bytes), so their quotient is the segment's size penalty.
 */
public final class CompressionReference {

    private final BlockEncoder encoder = new BlockEncoder();
    private final CountingStream frameCount = new CountingStream();
    private final ZstdOutputStream frame;
    private final SegmentWriter segment;
    private long encodedBytes;
    private long payloadBytes;

    public CompressionReference(int zstdLevel) {
        try {
            frame = new ZstdOutputStream(frameCount, zstdLevel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        segment = new SegmentWriter("reference", "reference", 0, Codec.ZSTD.newCompressor(zstdLevel),
                OutputStream.nullOutputStream(), SegmentFormat.DEFAULT_BLOCK_BYTES);
    }

    /** Feeds records in order; pass this to a record source. */
    public Consumer<BackupRecord> sink() {
        return this::add;
    }

    public void add(BackupRecord record) {
        segment.append(record);
        encoder.append(record);
        payloadBytes += record.payloadBytes();
        if (encoder.sizeInBytes() >= SegmentFormat.DEFAULT_BLOCK_BYTES) {
            writeFrame(encoder.seal());
        }
    }

    /** Finishes both encodings and returns the figures. */
    public Result finish() {
        if (!encoder.isEmpty()) {
            writeFrame(encoder.seal());
        }
        try {
            frame.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long segmentBytes = segment.finish().sizeBytes();
        return new Result(payloadBytes, encodedBytes, frameCount.count, segmentBytes);
    }

    private void writeFrame(RawBlock block) {
        try {
            frame.write(block.data(), 0, block.length());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        encodedBytes += block.length();
    }

    /**
     * @param payloadBytes  keys, values and headers
     * @param encodedBytes  the same records in the segment's record encoding: what gets compressed
     * @param oneFrameBytes all encoded records as a single zstd frame
     * @param segmentBytes  the whole segment object
     */
    public record Result(long payloadBytes, long encodedBytes, long oneFrameBytes, long segmentBytes) {

        public double oneFrameRatio() {
            return (double) encodedBytes / oneFrameBytes;
        }

        public double segmentRatio() {
            return (double) encodedBytes / segmentBytes;
        }

        /** The segment's ratio as a fraction of the one-frame ratio; 1.0 means cutting into blocks costs nothing. */
        public double segmentToOneFrame() {
            return segmentRatio() / oneFrameRatio();
        }
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
