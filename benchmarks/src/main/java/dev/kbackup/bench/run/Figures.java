package dev.kbackup.bench.run;

import java.util.Map;

/** The measured figures of one run, as written to results.json. Byte rates are MB/s, 1 MB = 10^6 bytes. */
final class Figures {

    private Figures() {
    }

    /**
     * One sink connector draining a topic: the null sink (a ceiling) or the backup sink.
     *
     * @param seconds           from the first record seen to the last one counted (null sink) or made durable in
     *                          storage (backup: its tasks are stopped, which flushes them, once all are accepted)
     * @param durableTailSeconds backup only: from the last record accepted to the last one durable
     * @param heapMaxAfterGc    the worker's largest heap use right after any collection during the phase: with G1
     *                          this includes old-generation garbage not collected yet, so it is an upper bound
     * @param heapLiveMax       memory passes only: the largest live heap found by full collections forced every
     *                          {@value HeapWatch#LIVE_SAMPLE_MS} ms during the phase (null in throughput passes)
     * @param heapBaseline      the worker's live heap after a full collection just before the phase
     * @param cpuSeconds        CPU seconds each process used from the connector's creation to the phase's end
     */
    record SinkRun(String phase, String dataSet, String connector, String codec, int tasks, long records,
                   long payloadBytes, double seconds, double mbPerSecond, double recordsPerSecond,
                   Double ratioToCeiling, Double durableTailSeconds, Double compressionRatio, Long storedBytes,
                   Long segments, Double uploadLatencyP50Ms, Double uploadLatencyP99Ms, Double uploadLatencyMaxMs,
                   Double checkpointP50Ms, Double checkpointP99Ms, Double checkpointMaxMs, Long checkpointCount,
                   Long bufferMemoryBytes, Long bufferedBytesMax, long heapBaseline, long heapMaxAfterGc,
                   Long heapLiveMax, int gcCount, String workerHeap, Map<String, Double> cpuSeconds) {

        SinkRun withRatioToCeiling(Double ratio) {
            return new SinkRun(phase, dataSet, connector, codec, tasks, records, payloadBytes, seconds, mbPerSecond,
                    recordsPerSecond, ratio, durableTailSeconds, compressionRatio, storedBytes, segments,
                    uploadLatencyP50Ms, uploadLatencyP99Ms, uploadLatencyMaxMs, checkpointP50Ms, checkpointP99Ms,
                    checkpointMaxMs, checkpointCount, bufferMemoryBytes, bufferedBytesMax, heapBaseline,
                    heapMaxAfterGc, heapLiveMax, gcCount, workerHeap, cpuSeconds);
        }
    }

    /**
     * A producer writing records into a topic: the plain producer (the ceiling) or the restore source.
     *
     * @param cpuSeconds          CPU seconds each process used from the start (the connector's creation) to the end
     * @param producerCpuSeconds  ceiling only: the CPU of the producer in this JVM, that is the process's CPU minus
     *                            that of its threads the producer does not use (see {@code DriverCpu}): the sending
     *                            thread (which also reads the data file), the producer's I/O thread, and the JVM's
     *                            own GC and JIT threads
     * @param driverOtherThreadsCpuSeconds ceiling only: what was left out of it (S3Proxy, idle in this phase, JMX)
     * @param heapBaseline        restore only: the worker's live heap after a full collection just before the phase
     * @param heapMaxAfterGc      restore only: the worker's largest heap use right after any collection
     * @param heapLiveMax         the scale restore only: the largest live heap found by full collections forced
     *                            every {@value HeapWatch#LIVE_SAMPLE_MS} ms (which slows that restore down)
     */
    record ProduceRun(String phase, String dataSet, String producer, int tasks, long records, long payloadBytes,
                      double seconds, double mbPerSecond, double recordsPerSecond, Double ratioToCeiling,
                      Map<String, String> settings, Map<String, Double> cpuSeconds, Double producerCpuSeconds,
                      Double driverOtherThreadsCpuSeconds, Long heapBaseline, Long heapMaxAfterGc, Long heapLiveMax,
                      String workerHeap) {
    }

    /**
     * The codec library alone on a whole data set, on one thread (see {@code RawCodecCpu}): the raw terms of the CPU
     * ratios. Per GB means per 10^9 bytes of record payload (keys, values, headers), as for the connectors.
     */
    record RawCodecCost(String dataSet, String codec, int zstdLevel, long payloadBytes, long encodedBytes,
                        long compressedBytes, long blocks, double compressCpuSeconds, double decompressCpuSeconds,
                        double compressCpuSecondsPerGb, double decompressCpuSecondsPerGb) {
    }

    /** Compression of the whole data set: one zstd frame against the segment (see CompressionReference). */
    record Compression(String dataSet, int zstdLevel, long payloadBytes, long encodedBytes, long oneFrameBytes,
                       long segmentBytes, double oneFrameRatio, double segmentRatio, double segmentToOneFrame,
                       Double backupRatio, Double backupToOneFrame) {
    }

    /** A target checked against a figure of this run; {@code pass} is null when the figure was not measured. */
    record Target(String name, String measured, String target, Boolean pass, String note) {
    }
}
