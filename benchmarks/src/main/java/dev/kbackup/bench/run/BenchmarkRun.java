package dev.kbackup.bench.run;

import dev.kbackup.bench.cluster.ConnectWorker;
import dev.kbackup.bench.cluster.KafkaBroker;
import dev.kbackup.bench.codec.CodecBenchmarks;
import dev.kbackup.bench.codec.CompressionReference;
import dev.kbackup.bench.codec.RawCodecCpu;
import dev.kbackup.bench.data.DataFile;
import dev.kbackup.bench.data.DataSet;
import dev.kbackup.bench.files.Directories;
import dev.kbackup.format.Codec;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.S3ProxyFixture;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole benchmark in one run (benchmarks/run.sh): JMH codec figures; then a broker and a Connect worker, each in its
 * own JVM, and S3Proxy in this one; the data sets loaded once; the null-sink ceiling and the backup sink per codec;
 * the producer ceiling and the restore; and 1,000 partitions backed up and restored in a worker limited to -Xmx1g. Writes results.json and
 * prints a table with every target checked against the ceiling measured in this run.
 */
public final class BenchmarkRun {

    private static final long SEED = 20_260_101;
    private static final String MAIN_WORKER_HEAP = "2g";
    private static final String SCALE_WORKER_HEAP = "1g";
    /**
     * The consumer's own buffers are not part of buffer.memory.bytes: by default it may hold 1 MiB per partition and
     * 50 MiB per fetch. With 1,000 partitions in a 1 GB worker both sinks read with smaller fetches.
     */
    static final Map<String, String> SCALE_CONSUMER = Map.of(
            "consumer.override.max.partition.fetch.bytes", Integer.toString(64 * 1024),
            "consumer.override.fetch.max.bytes", Integer.toString(8 * 1024 * 1024));

    private final RunOptions options;
    /** Phase (and label) of the runs with client-side encryption. */
    static final String ENCRYPTED_PHASE = "encrypted";

    private final Report report = new Report();
    /** A key made for this run only, so that nothing secret is in the code or the results. */
    private final Map<String, String> encryptionKey = Map.of("encryption.key", randomKey(),
            "encryption.key.id", "bench");
    private final String classpath = System.getProperty("java.class.path");

    private BenchmarkRun(RunOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        RunOptions options;
        try {
            options = RunOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        new BenchmarkRun(options).run();
        System.exit(0); // S3Proxy and client threads are not all daemons
    }

    private void run() throws Exception {
        describeMachine();
        Path work = options.work().toAbsolutePath();
        Files.createDirectories(work);
        Path log4j = writeLog4jConfig(work);

        if (options.runs("codec")) {
            timed("codec-jmh", () -> report.codec.addAll(CodecBenchmarks.run(options.quick()
                    ? CodecBenchmarks.Settings.quick() : CodecBenchmarks.Settings.full())));
            saveProgress();
        }
        Map<DataSet, DataFile> data = new LinkedHashMap<>();
        for (String id : options.dataSets()) {
            DataSet dataSet = DataSet.fromId(id);
            timed("generate-" + id, () -> data.put(dataSet, DataFile.prepare(work.resolve("data"), dataSet,
                    options.sizeMb(), SEED)));
            log("%s: %d records, %.1f MB payload in %s", id, data.get(dataSet).records(),
                    data.get(dataSet).payloadBytes() / 1e6, data.get(dataSet).path());
        }
        // one pass over each data file: the compression reference, and the raw zstd-3 CPU of the CPU ratios
        timed("compression-reference", () -> {
            for (DataFile file : data.values()) {
                CompressionReference reference = new CompressionReference(Codec.ZSTD_DEFAULT_LEVEL);
                try (RawCodecCpu raw = new RawCodecCpu(Codec.ZSTD, Codec.ZSTD_DEFAULT_LEVEL)) {
                    file.forEach(record -> {
                        reference.add(record);
                        raw.add(record);
                    });
                    report.rawCodecCpu.add(rawCodecCost(file, raw.finish()));
                }
                CompressionReference.Result r = reference.finish();
                report.compression.add(new Figures.Compression(file.dataSet().id(), Codec.ZSTD_DEFAULT_LEVEL,
                        r.payloadBytes(), r.encodedBytes(), r.oneFrameBytes(), r.segmentBytes(), r.oneFrameRatio(),
                        r.segmentRatio(), r.segmentToOneFrame(), null, null));
            }
        });

        Path runDir = work.resolve("run-" + Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()
                .replace(":", ""));
        boolean cluster = options.runs("backup") || options.runs("restore") || options.runs("scale");
        if (cluster) {
            try (S3ProxyFixture s3 = S3ProxyFixture.start(Files.createDirectories(runDir.resolve("s3")));
                 ObjectStore store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix",
                         SinkPhase.STORAGE_PREFIX)));
                 KafkaBroker broker = KafkaBroker.start(runDir.resolve("broker"), classpath, "1g", log4j)) {
                log("broker at %s (pid %d), S3Proxy at %s, work in %s", broker.bootstrapServers(), broker.pid(),
                        s3.endpoint(), runDir);
                if (options.runs("backup") || options.runs("restore")) {
                    backupAndRestore(runDir, log4j, s3, store, broker, data);
                }
                if (options.runs("scale")) {
                    scale(runDir, log4j, s3, store, broker);
                }
            } finally {
                if (!options.keep()) {
                    // the topics and backups are gigabytes; the logs (and JFR recordings) stay
                    for (String dir : List.of("broker/data", "s3", "state")) {
                        Directories.deleteTree(runDir.resolve(dir));
                    }
                }
            }
        }
        finish();
    }

    private void backupAndRestore(Path runDir, Path log4j, S3ProxyFixture s3, ObjectStore store, KafkaBroker broker,
                                  Map<DataSet, DataFile> data) throws Exception {
        for (DataFile file : data.values()) {
            String topic = file.dataSet().topic();
            broker.createTopic(topic, options.partitions());
            timed("load-" + file.dataSet().id(), () -> {
                double seconds = TopicLoader.load(broker.bootstrapServers(), file, topic, options.partitions());
                log("loaded %s: %.1f MB/s", topic, file.payloadBytes() / 1e6 / seconds);
            });
        }
        try (ConnectWorker worker = ConnectWorker.start(runDir.resolve("worker"), classpath,
                broker.bootstrapServers(), MAIN_WORKER_HEAP, "bench-connect", log4j,
                options.jfr() ? runDir.resolve("worker.jfr") : null, options.workerOptions())) {
            SinkPhase sinks = new SinkPhase(worker, broker, store, s3.connectorConfig(),
                    runDir.resolve("state"), Map.of());
            for (DataFile file : data.values()) {
                String id = file.dataSet().id();
                String topic = file.dataSet().topic();
                // a fresh worker runs cold code: one pass of the null sink and the memory passes warm it up first
                timed("warm-up-" + id, () -> show(sinks.nullSink("warm-up", id, topic, options.tasks(),
                        file.records(), file.payloadBytes(), false)));
                if (file.dataSet() == DataSet.JSON) {
                    timed("memory-null-sink-" + id, () -> report.memory.add(show(sinks.nullSink("memory", id,
                            topic, options.tasks(), file.records(), file.payloadBytes(), true))));
                }
                timed("memory-backup-" + id, () -> report.memory.add(show(sinks.backup("memory", id, topic,
                        options.tasks(), "zstd", file.records(), file.payloadBytes(),
                        Map.of(), null, true))));
                timed("null-sink-" + id, () -> report.backup.add(show(sinks.nullSink("ceiling", id, topic,
                        options.tasks(), file.records(), file.payloadBytes(), false))));
                for (String codec : options.codecs()) {
                    timed("backup-" + id + "-" + codec, () -> report.backup.add(show(sinks.backup("backup", id,
                            topic, options.tasks(), codec, file.records(),
                            file.payloadBytes(), Map.of(), null, false))));
                }
                if (options.encryption()) {
                    timed("backup-" + id + "-zstd-encrypted", () -> report.backup.add(show(sinks.backup(
                            ENCRYPTED_PHASE, id, topic, options.tasks(), "zstd",
                            file.records(), file.payloadBytes(), encryptionKey, null, false))));
                }
                // the ceiling once more after the backups: the machine's noise shows as the spread of the two
                timed("null-sink-again-" + id, () -> report.backup.add(show(sinks.nullSink("ceiling-again", id,
                        topic, options.tasks(), file.records(), file.payloadBytes(), false))));
                saveProgress();
            }
            linkBackupCompression();
            if (options.runs("restore")) {
                ProducePhase produce = new ProducePhase(worker, broker, s3.connectorConfig());
                DataFile first = data.values().iterator().next();
                timed("restore-warm-up", () -> show(produce.restore("warm-up", "backup-memory-"
                        + first.dataSet().id() + "-zstd", first, first.dataSet().topic(), options.partitions(),
                        options.tasks(), restoreProducerOverrides(), null)));
                for (DataFile file : data.values()) {
                    String id = file.dataSet().id();
                    Figures.ProduceRun[] ceiling = new Figures.ProduceRun[1];
                    timed("producer-ceiling-" + id, () -> ceiling[0] = produce.producerCeiling(file,
                            options.partitions()));
                    report.restore.add(ceiling[0]);
                    log("%s", ceiling[0]);
                    timed("restore-" + id, () -> report.restore.add(show(produce.restore("restored",
                            "backup-backup-" + id + "-zstd", file, file.dataSet().topic(), options.partitions(),
                            options.tasks(), restoreProducerOverrides(), ceiling[0]))));
                    if (options.encryption()) {
                        timed("restore-" + id + "-encrypted", () -> report.restore.add(show(produce.restore(
                                ENCRYPTED_PHASE, "backup-" + ENCRYPTED_PHASE + "-" + id + "-zstd", file,
                                file.dataSet().topic(), options.partitions(), options.tasks(),
                                restoreProducerOverrides(), encryptionKey, null, false))));
                    }
                    saveProgress();
                }
            }
        }
    }

    private static Figures.RawCodecCost rawCodecCost(DataFile file, RawCodecCpu.Result r) {
        double gigabytes = r.payloadBytes() / 1e9;
        return new Figures.RawCodecCost(file.dataSet().id(), Codec.ZSTD.configName(), Codec.ZSTD_DEFAULT_LEVEL,
                r.payloadBytes(), r.encodedBytes(), r.compressedBytes(), r.blocks(), r.compressCpuSeconds(),
                r.decompressCpuSeconds(), r.compressCpuSeconds() / gigabytes, r.decompressCpuSeconds() / gigabytes);
    }

    /** The restore's producer batches like the ceiling's producer, so the comparison is about the restore itself. */
    static Map<String, String> restoreProducerOverrides() {
        return Map.of("producer.override.linger.ms", Integer.toString(TopicLoader.LINGER_MS),
                "producer.override.batch.size", Integer.toString(TopicLoader.BATCH_BYTES));
    }

    private void scale(Path runDir, Path log4j, S3ProxyFixture s3, ObjectStore store, KafkaBroker broker)
            throws Exception {
        int partitions = options.scalePartitions();
        DataFile file = DataFile.prepare(options.work().toAbsolutePath().resolve("data"), DataSet.JSON,
                options.scaleMb(), SEED + 1);
        String topic = "bench-wide";
        broker.createTopic(topic, partitions);
        timed("load-wide", () -> TopicLoader.load(broker.bootstrapServers(), file, topic, partitions));
        long buffer = options.scaleBufferMb() * Report.MIB;
        try (ConnectWorker worker = ConnectWorker.start(runDir.resolve("worker-scale"), classpath,
                broker.bootstrapServers(), SCALE_WORKER_HEAP, "bench-scale", log4j,
                options.jfr() ? runDir.resolve("worker-scale.jfr") : null, options.workerOptions())) {
            SinkPhase sinks = new SinkPhase(worker, broker, store, s3.connectorConfig(), runDir.resolve("state"),
                    SCALE_CONSUMER);
            Map<String, String> small = Map.of("buffer.memory.bytes", Long.toString(buffer));
            timed("scale-warm-up", () -> show(sinks.nullSink("scale-warm-up", "json", topic, options.tasks(),
                    file.records(), file.payloadBytes(), false)));
            timed("scale-memory-null-sink", () -> report.memory.add(show(sinks.nullSink("scale-mem", "json",
                    topic, options.tasks(), file.records(), file.payloadBytes(), true))));
            timed("scale-memory-backup", () -> report.memory.add(show(sinks.backup("scale-mem", "json", topic,
                    options.tasks(), "zstd", file.records(), file.payloadBytes(), small, null,
                    true))));
            Figures.SinkRun[] ceiling = new Figures.SinkRun[1];
            timed("scale-null-sink", () -> ceiling[0] = show(sinks.nullSink("scale", "json", topic,
                    options.tasks(), file.records(), file.payloadBytes(), false)));
            report.scale.add(ceiling[0]);
            timed("scale-backup", () -> report.scale.add(show(sinks.backup("scale", "json", topic,
                    options.tasks(), "zstd", file.records(), file.payloadBytes(), small, ceiling[0], false))));
            // the restore of that backup, every partition, in the same -Xmx1g worker: whether it completes is a
            // figure itself, so a failure is recorded and the run goes on
            ProducePhase produce = new ProducePhase(worker, broker, s3.connectorConfig());
            timed("scale-restore", () -> {
                try {
                    report.scaleRestore.add(show(produce.restore("scale-restored", "backup-scale-json-zstd", file,
                            topic, partitions, options.tasks(), restoreProducerOverrides(), Map.of(), null, true)));
                } catch (Exception e) {
                    report.scaleRestoreError = firstLine(e.toString());
                    log("scale restore did not complete: %s", e);
                }
            });
        }
    }

    /** Puts the ratio the zstd backup achieved next to the one-frame reference of the same data set. */
    private void linkBackupCompression() {
        for (int i = 0; i < report.compression.size(); i++) {
            Figures.Compression c = report.compression.get(i);
            for (Figures.SinkRun run : report.backup) {
                if ("backup".equals(run.phase()) && "zstd".equals(run.codec())
                        && run.dataSet().equals(c.dataSet())) {
                    report.compression.set(i, new Figures.Compression(c.dataSet(), c.zstdLevel(), c.payloadBytes(),
                            c.encodedBytes(), c.oneFrameBytes(), c.segmentBytes(), c.oneFrameRatio(),
                            c.segmentRatio(), c.segmentToOneFrame(), run.compressionRatio(),
                            run.compressionRatio() / c.oneFrameRatio()));
                }
            }
        }
    }

    private void describeMachine() throws Exception {
        report.machine.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        report.machine.put("commit", commit());
        report.machine.put("cores", Runtime.getRuntime().availableProcessors());
        report.machine.put("cpu", cpuModel());
        report.machine.put("java", System.getProperty("java.vm.version"));
        report.machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.vendor")
                + " " + System.getProperty("java.runtime.version"));
        report.machine.put("loadAverageStart", loadAverage());
        report.settings.put("quick", options.quick());
        report.settings.put("encryption", options.encryption());
        report.settings.put("sizeMbPerDataSet", options.sizeMb());
        report.settings.put("partitions", options.partitions());
        report.settings.put("tasks", options.tasks());
        report.settings.put("codecs", options.codecs());
        report.settings.put("workerHeap", MAIN_WORKER_HEAP);
        report.settings.put("scalePartitions", options.scalePartitions());
        report.settings.put("scaleMb", options.scaleMb());
        report.settings.put("scaleBufferMb", options.scaleBufferMb());
        report.settings.put("scaleWorkerHeap", SCALE_WORKER_HEAP);
        report.settings.put("scaleConsumerOverrides", SCALE_CONSUMER);
        report.settings.put("backupOverrides", Map.of("checkpoint.interval.ms", "1000"));
        report.settings.put("workerOptions", options.workerOptions());
        report.settings.put("restoreOverrides", restoreProducerOverrides());
    }

    private void finish() throws Exception {
        report.machine.put("loadAverageEnd", loadAverage());
        report.evaluate();
        report.write(options.out());
        report.print(System.out);
        System.out.println();
        System.out.println("Results: " + options.out().toAbsolutePath());
    }

    private void saveProgress() throws Exception {
        report.evaluate();
        report.write(options.out());
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    /** The checked-out commit, short, with "-dirty" if the tree has changes (untracked files count too). */
    private static String commit() {
        try {
            String head = git("rev-parse", "--short", "HEAD").trim();
            return git("status", "--porcelain").isBlank() ? head : head + "-dirty";
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String git(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(git.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (git.waitFor() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + ": " + output.trim());
        }
        return output;
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** The driver's log4j configuration (benchmarks/log4j2.properties from run.sh), else a written one. */
    private static Path writeLog4jConfig(Path work) throws Exception {
        String own = System.getProperty("log4j2.configurationFile");
        if (own != null && Files.exists(Path.of(own))) {
            return Path.of(own).toAbsolutePath();
        }
        Path file = work.resolve("log4j2.properties");
        Files.writeString(file, String.join("\n",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = OUT",
                ""));
        return file;
    }

    private <T> T show(T figures) {
        log("%s", figures);
        return figures;
    }

    private void timed(String phase, Step step) throws Exception {
        long start = System.nanoTime();
        log("%s ...", phase);
        step.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        report.phaseSeconds.put(phase, Math.round(seconds * 10) / 10.0);
        log("%s done in %.1f s", phase, seconds);
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench %s] %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS),
                String.format(java.util.Locale.ROOT, format, args));
    }

    private interface Step {
        void run() throws Exception;
    }
}
