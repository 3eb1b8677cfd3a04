package dev.kbackup.sink;

import dev.kbackup.testing.ConnectClusters;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Connector configs and metric reads shared by the sink's integration tests. */
final class BackupConfigs {

    private BackupConfigs() {
    }

    /** A backup of {@code topics} into the storage described by {@code storage}, with fast intervals for tests. */
    static Map<String, String> backup(Map<String, String> storage, String backupId, String topics,
                                      String bootstrapServers, Path stateDir) {
        Map<String, String> config = new HashMap<>(storage);
        config.put("name", backupId);
        config.put("connector.class", BackupSinkConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("topics", topics);
        config.putAll(ConnectClusters.BYTE_ARRAY_CONVERTERS);
        config.put("consumer.override.isolation.level", "read_committed");
        config.put("backup.id", backupId);
        config.put("storage.prefix", "it");
        config.put("segment.max.bytes", Long.toString(8 * 1024 * 1024));
        config.put("segment.max.interval.ms", "1000");
        config.put("s3.part.size.bytes", Integer.toString(5 * 1024 * 1024));
        config.put("state.sync.interval.ms", "1000");
        config.put("checkpoint.interval.ms", "500");
        config.put("state.dir", stateDir.toString());
        config.put("cluster.bootstrap.servers", bootstrapServers);
        return config;
    }

    /**
     * A connector metric ({@code kafka.connect:type=plugins,connector=...}) from this JVM's platform MBean server, or
     * -1 when no such MBean has the attribute as a double.
     */
    static double metric(String connector, String attribute) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName name : taskMBeans(connector)) {
                if (server.getAttribute(name, attribute) instanceof Double value) {
                    return value;
                }
            }
            return -1;
        } catch (JMException e) {
            return -1;
        }
    }

    /** The connector's task-level MBeans; per-partition ones (such as backup-lag's) carry a partition key. */
    static Set<ObjectName> taskMBeans(String connector) throws JMException {
        return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName(
                "kafka.connect:type=plugins,connector=" + connector + ",*"), null).stream()
                .filter(name -> name.getKeyProperty("partition") == null)
                .collect(Collectors.toSet());
    }
}
