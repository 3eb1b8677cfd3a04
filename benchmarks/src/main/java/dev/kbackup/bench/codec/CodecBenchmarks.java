package dev.kbackup.bench.codec;

import dev.kbackup.bench.data.DataFile;
import dev.kbackup.bench.data.DataSet;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentFormat;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link SegmentCodecBenchmark} through JMH and turns its operations per second into MB/s (10^6 bytes of
 * encoded records per second) and ratios to the raw codec.
 */
public final class CodecBenchmarks {

    private CodecBenchmarks() {
    }

    /** How long JMH measures; {@code forks = 0} runs in this JVM (only for the smoke test). */
    public record Settings(int sampleMb, int forks, int warmupIterations, int warmupMillis,
                           int measurementIterations, int measurementMillis, List<String> dataSets,
                           List<String> codecs) {

        public static Settings full() {
            return new Settings(32, 1, 2, 1000, 5, 1000, List.of("json", "binary"), List.of("zstd", "lz4", "none"));
        }

        public static Settings quick() {
            return new Settings(16, 1, 1, 1000, 2, 1000, List.of("json", "binary"), List.of("zstd", "lz4", "none"));
        }

        /** A few hundred milliseconds in this JVM: shows that the harness runs, nothing more. */
        public static Settings smoke() {
            return new Settings(2, 0, 0, 0, 1, 100, List.of("json", "binary"), List.of("zstd", "lz4", "none"));
        }
    }

    /**
     * One data set and codec. MB/s figures are encoded record bytes per second; {@code ...Error} is JMH's 99.9%
     * confidence half-width (NaN with a single iteration).
     */
    public record Row(String dataSet, String codec, double rawCompressMBps, double rawCompressError,
                      double segmentEncodeMBps, double segmentEncodeError, double rawDecompressMBps,
                      double rawDecompressError, double segmentDecodeMBps, double segmentDecodeError,
                      double rawCompressionRatio, double segmentCompressionRatio) {

        public double encodeToRaw() {
            return segmentEncodeMBps / rawCompressMBps;
        }

        public double decodeToRaw() {
            return segmentDecodeMBps / rawDecompressMBps;
        }
    }

    public static List<Row> run(Settings settings) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(SegmentCodecBenchmark.class.getName() + "\\.")
                .param("dataSet", settings.dataSets().toArray(String[]::new))
                .param("codec", settings.codecs().toArray(String[]::new))
                .param("sampleMb", Integer.toString(settings.sampleMb()))
                .forks(settings.forks())
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(Math.max(1, settings.warmupMillis())))
                .measurementIterations(settings.measurementIterations())
                .measurementTime(TimeValue.milliseconds(settings.measurementMillis()))
                .jvmArgs("-Xms1g", "-Xmx1g")
                .shouldFailOnError(true)
                .verbosity(settings.forks() == 0 ? VerboseMode.SILENT : VerboseMode.NORMAL);
        Collection<RunResult> results = new Runner(options.build()).run();

        Map<String, Map<String, double[]>> scores = new HashMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            String key = result.getParams().getParam("dataSet") + "/" + result.getParams().getParam("codec");
            scores.computeIfAbsent(key, k -> new HashMap<>()).put(method, new double[] {
                result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError()});
        }
        List<Row> rows = new ArrayList<>();
        for (String dataSet : settings.dataSets()) {
            List<BackupRecord> records = DataFile.generate(DataSet.fromId(dataSet), SegmentCodecBenchmark.SEED,
                    settings.sampleMb() * 1_000_000L);
            CodecSample sample = CodecSample.of(records, SegmentFormat.DEFAULT_BLOCK_BYTES);
            double megabytes = sample.encodedBytes() / 1e6;
            for (String codec : settings.codecs()) {
                Map<String, double[]> byMethod = scores.get(dataSet + "/" + codec);
                Codec selected = Codec.fromConfigName(codec);
                double rawRatio;
                try (SegmentCodecBenchmark.RawCodec raw = SegmentCodecBenchmark.RawCodec.of(selected,
                        SegmentCodecBenchmark.ZSTD_LEVEL)) {
                    sample.compressFrames(raw);
                    rawRatio = (double) sample.encodedBytes() / sample.framedBytes();
                }
                double segmentRatio = (double) sample.encodedBytes() / segmentSize(records, selected);
                rows.add(new Row(dataSet, codec,
                        megabytes * byMethod.get("rawCompress")[0], megabytes * byMethod.get("rawCompress")[1],
                        megabytes * byMethod.get("segmentEncode")[0], megabytes * byMethod.get("segmentEncode")[1],
                        megabytes * byMethod.get("rawDecompress")[0], megabytes * byMethod.get("rawDecompress")[1],
                        megabytes * byMethod.get("segmentDecode")[0], megabytes * byMethod.get("segmentDecode")[1],
                        rawRatio, segmentRatio));
            }
        }
        return rows;
    }

    private static long segmentSize(List<BackupRecord> records, Codec codec) {
        try (var compressor = codec.newCompressor(SegmentCodecBenchmark.ZSTD_LEVEL)) {
            var writer = new dev.kbackup.format.SegmentWriter("size", "size", 0, compressor,
                    java.io.OutputStream.nullOutputStream(), SegmentFormat.DEFAULT_BLOCK_BYTES);
            records.forEach(writer::append);
            return writer.finish().sizeBytes();
        }
    }
}
