package dev.kbackup.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A combined KRaft broker and controller in its own JVM, started as an operator would from Maven jars: StorageTool
 * format, then kafka.Kafka. Shared by the plugin install test and the benchmarks; stopped by its own pid.
 */
public final class BrokerProcess implements AutoCloseable {

    private final int port;
    private final JavaProcess process;

    private BrokerProcess(int port, JavaProcess process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Formats {@code workDir}/{@code dataDir} and starts the broker with {@code jvmOptions}; returns once it answers
     * admin requests, or fails with the log's tail after {@code startup}.
     *
     * @param extraProperties more server.properties lines, e.g. "log.retention.ms=-1"
     */
    public static BrokerProcess start(Path workDir, String dataDir, String classpath, List<String> jvmOptions,
                                      Duration startup, String... extraProperties) throws Exception {
        Files.createDirectories(workDir);
        int port = freePort();
        Path config = KraftServerProperties.write(workDir.resolve("server.properties"), port, freePort(),
                workDir.resolve(dataDir), extraProperties);
        JavaProcess.run("kafka-storage format", classpath, jvmOptions, "kafka.tools.StorageTool",
                List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
                workDir.resolve("storage-format.log"), startup);
        BrokerProcess broker = new BrokerProcess(port, JavaProcess.start("broker", classpath, jvmOptions,
                "kafka.Kafka", List.of(config.toString()), workDir.resolve("broker.log")));
        broker.await(startup);
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public JavaProcess process() {
        return process;
    }

    private void await(Duration startup) throws InterruptedException {
        long deadline = System.nanoTime() + startup.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5000))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("The broker did not start within " + startup.toSeconds()
                                + " s; see " + process.log() + ": " + process.logTail());
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

    @Override
    public void close() {
        process.close();
    }
}
