package dev.kbackup.bench.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.kbackup.bench.data.DataFile;
import dev.kbackup.bench.data.DataSet;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentFormat;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.SegmentWriter;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The segment codec next to the raw codec on the same bytes. One operation handles the whole sample: the raw side
 * (de)compresses the sample's 1 MiB blocks, already encoded, one frame each; the segment side starts from record
 * objects, as the sink has them, and encodes, compresses, checksums and frames them with {@link SegmentWriter}, or
 * reads them back to record objects with {@link SegmentReader}. Throughput is the sample's encoded size per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SegmentCodecBenchmark {

    static final int ZSTD_LEVEL = Codec.ZSTD_DEFAULT_LEVEL;
    static final long SEED = 42;

    @Param({"json", "binary"})
    public String dataSet;

    @Param({"zstd", "lz4", "none"})
    public String codec;

    /** Payload size of the sample, MB. */
    @Param({"32"})
    public int sampleMb;

    private List<BackupRecord> records;
    private CodecSample sample;
    private RawCodec raw;
    private BlockCompressor compressor;
    private byte[] segment;
    private byte[] target;

    @Setup(Level.Trial)
    public void setUp() {
        records = DataFile.generate(DataSet.fromId(dataSet), SEED, sampleMb * 1_000_000L);
        sample = CodecSample.of(records, SegmentFormat.DEFAULT_BLOCK_BYTES);
        Codec selected = Codec.fromConfigName(codec);
        raw = RawCodec.of(selected, ZSTD_LEVEL);
        sample.compressFrames(raw);
        compressor = selected.newCompressor(ZSTD_LEVEL);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeSegment(out);
        segment = out.toByteArray();
        target = new byte[sample.largestBlock()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compressor.close();
        raw.close();
    }

    /** Bytes one operation processes: the encoded size of the sample. */
    public long bytesPerOperation() {
        return sample.encodedBytes();
    }

    @Benchmark
    public long rawCompress() {
        long total = 0;
        for (int i = 0; i < sample.blockCount(); i++) {
            total += raw.compress(sample.block(i), sample.blockLength(i));
        }
        return total;
    }

    @Benchmark
    public long segmentEncode() {
        return writeSegment(OutputStream.nullOutputStream());
    }

    @Benchmark
    public long rawDecompress() {
        long total = 0;
        for (int i = 0; i < sample.blockCount(); i++) {
            raw.decompress(sample.frame(i), sample.frameLength(i), target, sample.blockLength(i));
            total += target[0];
        }
        return total;
    }

    @Benchmark
    public void segmentDecode(Blackhole blackhole) {
        try (SegmentReader reader = SegmentReader.open(new ByteArrayInputStream(segment), "bench")) {
            while (reader.nextBlock() != null) {
                for (BackupRecord record : reader.records()) {
                    blackhole.consume(record);
                }
            }
        }
    }

    private long writeSegment(OutputStream out) {
        SegmentWriter writer = new SegmentWriter("bench", "bench-" + dataSet, 0, compressor, out,
                SegmentFormat.DEFAULT_BLOCK_BYTES);
        for (BackupRecord record : records) {
            writer.append(record);
        }
        return writer.finish().sizeBytes();
    }

    /** The codec libraries called directly, one frame per block, with contexts reused across calls. */
    abstract static class RawCodec implements AutoCloseable {
        byte[] output = new byte[0];

        abstract int compress(byte[] source, int length);

        abstract void decompress(byte[] source, int length, byte[] target, int targetLength);

        @Override
        public void close() {
        }

        static RawCodec of(Codec codec, int zstdLevel) {
            return switch (codec) {
                case ZSTD -> new Zstd(zstdLevel);
                case LZ4 -> new Lz4();
                case NONE -> new Copy();
            };
        }

        private static final class Zstd extends RawCodec {
            private final ZstdCompressCtx compress = new ZstdCompressCtx();
            private final ZstdDecompressCtx decompress = new ZstdDecompressCtx();

            Zstd(int level) {
                compress.setLevel(level);
            }

            @Override
            int compress(byte[] source, int length) {
                int bound = (int) com.github.luben.zstd.Zstd.compressBound(length);
                if (output.length < bound) {
                    output = new byte[bound];
                }
                return compress.compressByteArray(output, 0, bound, source, 0, length);
            }

            @Override
            void decompress(byte[] source, int length, byte[] target, int targetLength) {
                decompress.decompressByteArray(target, 0, targetLength, source, 0, length);
            }

            @Override
            public void close() {
                compress.close();
                decompress.close();
            }
        }

        private static final class Lz4 extends RawCodec {
            private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
            private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();

            @Override
            int compress(byte[] source, int length) {
                int bound = compressor.maxCompressedLength(length);
                if (output.length < bound) {
                    output = new byte[bound];
                }
                return compressor.compress(source, 0, length, output, 0, bound);
            }

            @Override
            void decompress(byte[] source, int length, byte[] target, int targetLength) {
                decompressor.decompress(source, 0, length, target, 0, targetLength);
            }
        }

        /** No codec: the baseline is one copy of the bytes. */
        private static final class Copy extends RawCodec {
            @Override
            int compress(byte[] source, int length) {
                if (output.length < length) {
                    output = new byte[length];
                }
                System.arraycopy(source, 0, output, 0, length);
                return length;
            }

            @Override
            void decompress(byte[] source, int length, byte[] target, int targetLength) {
                System.arraycopy(source, 0, target, 0, length);
            }
        }
    }
}
