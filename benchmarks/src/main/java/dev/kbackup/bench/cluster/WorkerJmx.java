package dev.kbackup.bench.cluster;

import com.sun.management.GarbageCollectionNotificationInfo;

import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The worker's JMX: connector metrics (group "plugins", tagged with connector and task) and its heap. Heap is
 * watched through GC notifications: the heap used right after each collection is the live data plus what G1 has
 * not reclaimed yet, so its maximum over a phase bounds the memory the phase really held (an eden-inclusive peak
 * would only show how much eden G1 chose to give the young generation).
 */
public final class WorkerJmx implements AutoCloseable {

    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final Set<String> heapPools = new HashSet<>();
    private final HeapListener listener = new HeapListener();

    private WorkerJmx(JMXConnector connector) throws Exception {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        for (ObjectName pool : server.queryNames(new ObjectName("java.lang:type=MemoryPool,*"), null)) {
            if ("HEAP".equals(String.valueOf(server.getAttribute(pool, "Type")))) {
                heapPools.add(pool.getKeyProperty("name"));
            }
        }
        for (ObjectName gc : server.queryNames(new ObjectName("java.lang:type=GarbageCollector,*"), null)) {
            server.addNotificationListener(gc, listener, null, null);
        }
    }

    static WorkerJmx connect(int port) throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        return new WorkerJmx(JMXConnectorFactory.connect(url));
    }

    /**
     * Numeric attributes of the task's plugin metrics ({@code kafka.connect:type=plugins,connector=..,task=..});
     * empty once the task is gone.
     */
    public Map<String, Double> taskMetrics(String connectorName, int task) throws IOException {
        Map<String, Double> values = new HashMap<>();
        try {
            ObjectName name = new ObjectName("kafka.connect:type=plugins,connector=" + connectorName + ",task=" + task);
            if (!server.isRegistered(name)) {
                return values;
            }
            String[] attributes = java.util.Arrays.stream(server.getMBeanInfo(name).getAttributes())
                    .map(a -> a.getName()).toArray(String[]::new);
            for (Attribute attribute : server.getAttributes(name, attributes).asList()) {
                if (attribute.getValue() instanceof Number number) {
                    values.put(attribute.getName(), number.doubleValue());
                }
            }
        } catch (javax.management.JMException e) {
            // the task went away between the calls
        }
        return values;
    }

    /** One attribute summed over tasks {@code 0..tasks-1}; empty if no task has it. */
    public OptionalDouble sum(String connectorName, int tasks, String attribute) throws IOException {
        double total = 0;
        boolean found = false;
        for (int task = 0; task < tasks; task++) {
            Double value = taskMetrics(connectorName, task).get(attribute);
            if (value != null && !value.isNaN()) {
                total += value;
                found = true;
            }
        }
        return found ? OptionalDouble.of(total) : OptionalDouble.empty();
    }

    /**
     * Runs a full collection in the worker and returns the heap then in use: the worker's live data. G1 silently
     * skips a requested full collection while a thread holds a JNI critical region (zstd-jni compresses inside one),
     * so the request is repeated until the full-collection count shows that one ran.
     *
     * @throws IllegalStateException if no full collection could run within about 5 s
     */
    public long collectAndMeasure() throws Exception {
        ObjectName memory = new ObjectName("java.lang:type=Memory");
        for (int attempt = 0; attempt < 250; attempt++) {
            long before = fullCollections();
            server.invoke(memory, "gc", null, null);
            if (fullCollections() > before) {
                CompositeData usage = (CompositeData) server.getAttribute(memory, "HeapMemoryUsage");
                return MemoryUsage.from(usage).getUsed();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("The worker skipped every full collection requested for 5 s");
    }

    private long fullCollections() throws Exception {
        long count = 0;
        for (ObjectName gc : server.queryNames(new ObjectName("java.lang:type=GarbageCollector,*"), null)) {
            String name = gc.getKeyProperty("name");
            if (name.contains("Old") || name.contains("MarkSweep") || name.contains("Full")) {
                count += ((Number) server.getAttribute(gc, "CollectionCount")).longValue();
            }
        }
        return count;
    }

    /** Starts a new window of heap observation; {@link #heapWindow()} reports on it. */
    public void resetHeapWindow() {
        listener.reset();
    }

    public HeapWindow heapWindow() {
        return listener.snapshot();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the worker is going away anyway
        }
    }

    /**
     * @param maxUsedAfterGc largest heap use right after a collection in the window (bytes)
     * @param collections    collections in the window
     * @param pauseMillis    their summed duration as the JVM reports it
     */
    public record HeapWindow(long maxUsedAfterGc, int collections, long pauseMillis) {
    }

    private final class HeapListener implements NotificationListener {
        private long maxAfter;
        private int count;
        private long millis;

        synchronized void reset() {
            maxAfter = 0;
            count = 0;
            millis = 0;
        }

        synchronized HeapWindow snapshot() {
            return new HeapWindow(maxAfter, count, millis);
        }

        @Override
        public synchronized void handleNotification(Notification notification, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                    (CompositeData) notification.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
            maxAfter = Math.max(maxAfter, used);
            count++;
            millis += info.getGcInfo().getDuration();
        }
    }
}
