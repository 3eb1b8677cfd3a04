package dev.kbackup.bench.codec;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockEncoder;
import dev.kbackup.format.Codec;
import dev.kbackup.format.RawBlock;
import dev.kbackup.format.SegmentFormat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Consumer;

/**
 * The CPU the codec library alone spends on a data set: the records encoded into blocks as a segment cuts them
 * (1 MiB), each block compressed as one frame and that frame decompressed again, on the calling thread. Only the
 * codec calls are timed, by the thread's CPU clock (not wall time), so neither reading the data nor encoding the
 * records is in the figure, and other processes on the machine hardly change it. It is the "raw zstd-3" term of the
 * CPU ratios: what compression would cost if everything around it were free.
 */
public final class RawCodecCpu implements AutoCloseable {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final BlockEncoder encoder = new BlockEncoder();
    private final SegmentCodecBenchmark.RawCodec raw;
    private byte[] restored = new byte[0];
    private long payloadBytes;
    private long encodedBytes;
    private long compressedBytes;
    private long blocks;
    private long compressNanos;
    private long decompressNanos;

    /** @param zstdLevel the level if {@code codec} is zstd */
    public RawCodecCpu(Codec codec, int zstdLevel) {
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("This JVM cannot measure a thread's CPU time");
        }
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        this.raw = SegmentCodecBenchmark.RawCodec.of(codec, zstdLevel);
    }

    /** Feeds records in order, always from the same thread; pass this to a record source. */
    public Consumer<BackupRecord> sink() {
        return this::add;
    }

    public void add(BackupRecord record) {
        encoder.append(record);
        payloadBytes += record.payloadBytes();
        if (encoder.sizeInBytes() >= SegmentFormat.DEFAULT_BLOCK_BYTES) {
            measure(encoder.seal());
        }
    }

    /** Measures the last block and returns the figures. */
    public Result finish() {
        if (!encoder.isEmpty()) {
            measure(encoder.seal());
        }
        return new Result(payloadBytes, encodedBytes, compressedBytes, blocks, compressNanos / 1e9,
                decompressNanos / 1e9);
    }

    private void measure(RawBlock block) {
        int length = block.length();
        if (restored.length < length) {
            restored = new byte[length];
        }
        long start = THREADS.getCurrentThreadCpuTime();
        int frame = raw.compress(block.data(), length);
        long compressed = THREADS.getCurrentThreadCpuTime();
        raw.decompress(raw.output, frame, restored, length);
        long decompressed = THREADS.getCurrentThreadCpuTime();
        compressNanos += compressed - start;
        decompressNanos += decompressed - compressed;
        encodedBytes += length;
        compressedBytes += frame;
        blocks++;
    }

    @Override
    public void close() {
        raw.close();
    }

    /**
     * @param payloadBytes          keys, values and headers of the records, as the connectors' rates count them
     * @param encodedBytes          the same records in the segment's record encoding: what the codec compressed
     * @param compressedBytes       the frames' sizes
     * @param compressCpuSeconds    the thread's CPU time inside the compress calls
     * @param decompressCpuSeconds  the thread's CPU time inside the decompress calls
     */
    public record Result(long payloadBytes, long encodedBytes, long compressedBytes, long blocks,
                         double compressCpuSeconds, double decompressCpuSeconds) {
    }
}
