package dev.kbackup.packaging;

import dev.kbackup.testing.KraftServerProperties;

import dev.kbackup.testing.JavaProcess;
import dev.kbackup.testing.WorkerProcess;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real KRaft broker process and a real distributed Connect worker process, both started from Maven jars
 * (quickstart/target/classpath/kafka.txt) the way an operator would run them: StorageTool format, kafka.Kafka,
 * ConnectDistributed with plugin.path. Our connectors reach the worker only through {@code pluginPath}.
 */
final class KafkaProcesses implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final Path workDir;
    private final String classpath;
    private final int brokerPort;
    private final int controllerPort;
    private JavaProcess broker;
    private WorkerProcess worker;

    KafkaProcesses(Path workDir, Path classpathFile) throws IOException {
        this.workDir = workDir;
        this.classpath = Files.readString(classpathFile).trim();
        this.brokerPort = freePort();
        this.controllerPort = freePort();
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
        return "127.0.0.1:" + brokerPort;
    }

    URI restUri(String path) {
        return worker.restUri(path);
    }

    /** Formats the log directory and starts the broker; returns once it answers admin requests. */
    void startBroker() throws Exception {
        Path config = KraftServerProperties.write(workDir.resolve("server.properties"), brokerPort, controllerPort,
                workDir.resolve("kafka-data"), "num.partitions=1");
        JavaProcess.run("kafka-storage format", classpath, jvmOptions("256m"), "kafka.tools.StorageTool",
                List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
                workDir.resolve("storage-format.log"), Duration.ofSeconds(60));
        broker = JavaProcess.start("broker", classpath, jvmOptions("768m"), "kafka.Kafka",
                List.of(config.toString()), workDir.resolve("broker.log"));
        awaitBroker();
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
        return broker;
    }

    private List<String> jvmOptions(String heap) {
        return List.of("-Xmx" + heap, "-XX:+UseG1GC",
                "-Dlog4j2.configurationFile=" + workDir.resolve("log4j2.properties").toUri());
    }

    private void awaitBroker() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5000))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    if (!broker.isAlive() || System.nanoTime() > deadline) {
                        throw new AssertionError("The broker did not start: " + broker.logTail());
                    }
                    Thread.sleep(250);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
