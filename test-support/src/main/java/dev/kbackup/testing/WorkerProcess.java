package dev.kbackup.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real distributed Connect worker in its own JVM ({@code ConnectDistributed}), reached over its REST API, that a
 * test can stop gracefully or kill outright. Workers started with the same group id form one Connect cluster.
 */
public final class WorkerProcess implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JavaProcess process;
    private final int restPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private WorkerProcess(JavaProcess process, int restPort) {
        this.process = process;
        this.restPort = restPort;
    }

    /**
     * Starts a worker and returns once its REST API answers.
     *
     * @param classpath  the JVM's classpath: Kafka's jars, and our connectors unless {@code pluginPath} is given
     * @param pluginPath where the plugin is unpacked, or null when the connectors are on the classpath
     * @param extra      more worker settings, e.g. exactly.once.source.support=enabled
     */
    public static WorkerProcess start(String name, String classpath, Path workDir, String bootstrapServers,
                                      String groupId, Path pluginPath, Map<String, String> extra, String heap)
            throws Exception {
        return start(name, classpath, workDir, bootstrapServers, groupId, pluginPath, extra, heap, List.of());
    }

    /** As above, with more JVM options for the worker, e.g. a -javaagent. */
    public static WorkerProcess start(String name, String classpath, Path workDir, String bootstrapServers,
                                      String groupId, Path pluginPath, Map<String, String> extra, String heap,
                                      List<String> jvmOptions) throws Exception {
        return start(name, classpath, workDir, bootstrapServers, groupId, pluginPath, extra, heap, jvmOptions, null,
                STARTUP);
    }

    /**
     * As above, logging through the caller's {@code log4jConfig} (null: warnings, and our own INFO lines, to the
     * log file) and waiting up to {@code startup} for the REST API, as the benchmarks do.
     */
    public static WorkerProcess start(String name, String classpath, Path workDir, String bootstrapServers,
                                      String groupId, Path pluginPath, Map<String, String> extra, String heap,
                                      List<String> jvmOptions, Path log4jConfig, Duration startup)
            throws Exception {
        Files.createDirectories(workDir);
        int restPort = freePort();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", groupId);
        props.put("config.storage.topic", groupId + "-configs");
        props.put("offset.storage.topic", groupId + "-offsets");
        props.put("status.storage.topic", groupId + "-status");
        props.put("config.storage.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        props.put("offset.storage.partitions", "5");
        props.put("status.storage.partitions", "1");
        props.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        if (pluginPath != null) {
            props.put("plugin.path", pluginPath.toString());
        }
        props.put("plugin.discovery", "service_load");
        props.put("connector.client.config.override.policy", "All");
        props.put("offset.flush.interval.ms", "1000");
        props.put("scheduled.rebalance.max.delay.ms", "3000");
        props.put("listeners", "http://127.0.0.1:" + restPort);
        props.put("rest.advertised.host.name", "127.0.0.1");
        props.put("rest.advertised.port", Integer.toString(restPort));
        props.putAll(extra);
        Path config = workDir.resolve(name + ".properties");
        StringBuilder text = new StringBuilder();
        props.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Files.writeString(config, text.toString());
        Path log4j = log4jConfig != null ? log4jConfig : writeDefaultLog4j(workDir);
        List<String> options = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseG1GC",
                "-Dlog4j2.configurationFile=" + log4j.toUri()));
        options.addAll(jvmOptions);
        JavaProcess process = JavaProcess.start(name, classpath, options,
                "org.apache.kafka.connect.cli.ConnectDistributed", List.of(config.toString()),
                workDir.resolve(name + ".log"));
        WorkerProcess worker = new WorkerProcess(process, restPort);
        worker.awaitRest(startup);
        return worker;
    }

    private static Path writeDefaultLog4j(Path workDir) throws IOException {
        Path log4j = workDir.resolve("log4j2-worker.properties");
        Files.writeString(log4j, String.join("\n",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p [%t] %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = OUT",
                "logger.kbackup.name = dev.kbackup",
                "logger.kbackup.level = INFO",
                ""));
        return log4j;
    }

    public JavaProcess process() {
        return process;
    }

    public URI restUri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    /** Creates or updates a connector (PUT /connectors/{name}/config). */
    public void putConnector(String name, Map<String, String> config) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(restUri("/connectors/" + name + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config)))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new AssertionError("PUT connector " + name + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }

    /** The task states of a connector, e.g. ["RUNNING", "RUNNING"], or empty if it has no tasks yet. */
    public List<String> taskStates(String name) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(restUri("/connectors/" + name + "/status"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        List<String> states = new ArrayList<>();
        if (response.statusCode() == 200) {
            for (JsonNode task : JSON.readTree(response.body()).path("tasks")) {
                states.add(task.path("state").asText() + "@" + task.path("worker_id").asText());
            }
        }
        return states;
    }

    /** Freezes the worker's JVM (SIGSTOP): its tasks keep their state and go on where they were when resumed. */
    public void pause() {
        process.pause();
    }

    /** Resumes a paused worker (SIGCONT): it acts as a zombie until it learns that its work has moved. */
    public void resume() {
        process.resume();
    }

    /** Kills the worker's JVM at once (SIGKILL): no task is stopped, nothing is flushed. */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }

    private void awaitRest(Duration startup) throws InterruptedException {
        long deadline = System.nanoTime() + startup.toNanos();
        while (true) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(restUri("/connectors"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("The Connect worker's REST API did not come up: " + process.logTail());
            }
            Thread.sleep(500);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
