package dev.kbackup.sink;

import dev.kbackup.testing.BackupConnectorConfig;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
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
        return builder(storage, backupId, topics, bootstrapServers, stateDir).build();
    }

    /** As {@link #backup}, for a test that sets more keys before it builds the config. */
    static BackupConnectorConfig builder(Map<String, String> storage, String backupId, String topics,
                                         String bootstrapServers, Path stateDir) {
        return BackupConnectorConfig.of(BackupSinkConnector.class, backupId, topics)
                .name(backupId)
                .minimumPartSize()
                .storage(storage)
                .prefix("it")
                .segmentMaxBytes(8 * 1024 * 1024)
                .checkpointIntervalMs(500)
                .stateDir(stateDir)
                .cluster(bootstrapServers);
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
