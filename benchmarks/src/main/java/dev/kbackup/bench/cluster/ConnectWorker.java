package dev.kbackup.bench.cluster;

import dev.kbackup.testing.WorkerProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A distributed Connect worker in its own JVM, so that its heap and CPU are its own: our connectors and the null
 * sink are on its classpath and found through META-INF/services. Reached through its REST API and over JMX.
 */
public final class ConnectWorker implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int jmxPort = Ports.free(1)[0];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String heap;
    private WorkerProcess worker;
    private WorkerJmx jmx;

    private ConnectWorker(String heap) {
        this.heap = heap;
    }

    /**
     * @param jfrFile      if not null, the worker records a JFR profile ("profile" settings) into this file when it
     *                     exits
     * @param extraOptions more JVM options, after the benchmark's own
     */
    public static ConnectWorker start(Path workDir, String classpath, String bootstrapServers, String heap,
                                      String groupId, Path log4jConfig, Path jfrFile, List<String> extraOptions)
            throws Exception {
        ConnectWorker worker = new ConnectWorker(heap);
        worker.launch(workDir, classpath, bootstrapServers, groupId, log4jConfig, jfrFile, extraOptions);
        return worker;
    }

    private void launch(Path workDir, String classpath, String bootstrapServers, String groupId, Path log4jConfig,
                        Path jfrFile, List<String> extraOptions) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Xms" + heap,
                "-Dcom.sun.management.jmxremote",
                "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false",
                // compiler threads that stay alive keep their CPU time readable (ProcessCpu.jitSeconds)
                "-XX:-UseDynamicNumberOfCompilerThreads"));
        if (jfrFile != null) {
            jvm.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfrFile);
        }
        jvm.addAll(extraOptions);
        // the benchmark keeps Connect's default rebalance delay, which the launcher shortens for the tests
        Map<String, String> settings = Map.of(
                "header.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "scheduled.rebalance.max.delay.ms", "300000");
        worker = WorkerProcess.start("worker", classpath, workDir, bootstrapServers, groupId, null, settings, heap,
                jvm, log4jConfig, Duration.ofSeconds(180));
        jmx = WorkerJmx.connect(jmxPort);
    }

    public long pid() {
        return worker.process().pid();
    }

    public String heap() {
        return heap;
    }

    public WorkerJmx jmx() {
        return jmx;
    }

    public void checkAlive() {
        worker.process().checkAlive();
    }

    public void createConnector(String name, Map<String, String> config) throws Exception {
        send(request("/connectors/" + name + "/config")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config)))
                .header("Content-Type", "application/json").build(), "create connector " + name);
    }

    /**
     * Restarts one task in place: the worker stops it (a sink task closes its partitions, which flushes what it
     * holds) and starts it again, without the group rebalance that stopping the connector would cost.
     */
    public void restartTask(String name, int task) throws Exception {
        send(request("/connectors/" + name + "/tasks/" + task + "/restart")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), "restart task " + task + " of " + name);
    }

    public void deleteConnector(String name) throws Exception {
        send(request("/connectors/" + name).DELETE().build(), "delete connector " + name);
    }

    /** The connector's state and its tasks' states, e.g. "RUNNING [RUNNING, RUNNING]"; fails on a failed task. */
    public String status(String name) throws Exception {
        HttpResponse<String> response = http.send(request("/connectors/" + name + "/status").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return "MISSING";
        }
        JsonNode status = JSON.readTree(response.body());
        List<String> tasks = new ArrayList<>();
        for (JsonNode task : status.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                throw new IllegalStateException("Task " + task.path("id").asText() + " of " + name + " failed: "
                        + task.path("trace").asText());
            }
            tasks.add(task.path("state").asText());
        }
        if ("FAILED".equals(status.path("connector").path("state").asText())) {
            throw new IllegalStateException("Connector " + name + " failed: "
                    + status.path("connector").path("trace").asText());
        }
        return status.path("connector").path("state").asText() + " " + tasks;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(worker.restUri(path))
                .timeout(Duration.ofSeconds(60));
    }

    private void send(HttpRequest request, String what) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("Could not " + what + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
    }

    @Override
    public void close() {
        if (jmx != null) {
            jmx.close();
        }
        if (worker != null) {
            worker.close();
        }
    }
}
