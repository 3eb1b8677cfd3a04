package dev.kbackup.packaging;

import dev.kbackup.testing.BrokerProcess;
import dev.kbackup.testing.JavaProcess;
import dev.kbackup.testing.WorkerProcess;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real KRaft broker process and a real distributed Connect worker process, both started from Maven jars
 * (quickstart/target/classpath/kafka.txt) the way an operator would run them: StorageTool format, kafka.Kafka,
 * ConnectDistributed with plugin.path. Our connectors reach the worker only through {@code pluginPath}.
 */
final class KafkaProcesses implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final Path workDir;
    private final String classpath;
    private BrokerProcess broker;
    private WorkerProcess worker;

    KafkaProcesses(Path workDir, Path classpathFile) throws IOException {
        this.workDir = workDir;
        this.classpath = Files.readString(classpathFile).trim();
        Files.writeString(workDir.resolve("log4j2.properties"), String.join("\n",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = OUT",
                "logger.connect.name = org.apache.kafka.connect.runtime.Worker",
                "logger.connect.level = INFO",
                "logger.kbackup.name = dev.kbackup",
                "logger.kbackup.level = INFO",
                ""));
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    URI restUri(String path) {
        return worker.restUri(path);
    }

    /** Formats the log directory and starts the broker; returns once it answers admin requests. */
    void startBroker() throws Exception {
        // The test data's timestamps are fixed and a year old: the broker's first retention check would delete it,
        // and a backup that starts after that finds nothing to read.
        broker = BrokerProcess.start(workDir, "kafka-data", classpath, jvmOptions("768m"), STARTUP,
                "num.partitions=1", "log.retention.ms=-1");
    }

    /** Starts a distributed worker with {@code pluginPath}; returns once its REST API answers. */
    void startWorker(Path pluginPath) throws Exception {
        startWorker(pluginPath, List.of());
    }

    /** As {@link #startWorker(Path)}, with more JVM options for the worker, e.g. the JMX exporter agent. */
    void startWorker(Path pluginPath, List<String> jvmOptions) throws Exception {
        worker = WorkerProcess.start("connect-worker", classpath, workDir, bootstrapServers(), "kbackup-install-it",
                pluginPath, java.util.Map.of(), "1g", jvmOptions);
    }

    JavaProcess worker() {
        return worker.process();
    }

    JavaProcess broker() {
        return broker.process();
    }

    private List<String> jvmOptions(String heap) {
        return List.of("-Xmx" + heap, "-XX:+UseG1GC",
                "-Dlog4j2.configurationFile=" + workDir.resolve("log4j2.properties").toUri());
    }

    /** Stops the worker, then the broker, each by its own pid. */
    @Override
    public void close() {
        if (worker != null) {
            worker.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
