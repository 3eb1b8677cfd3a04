package dev.kbackup.cli;

import dev.kbackup.config.ClusterConfigKeys;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/**
 * The Kafka cluster a command writes to: {@code --bootstrap-servers}, else the config's cluster.bootstrap.servers,
 * with the config's other cluster.* settings (security.protocol, sasl.*, ssl.*) as the connectors pass them.
 */
final class TargetCluster {

    private TargetCluster() {
    }

    static Admin admin(Map<String, String> settings, String bootstrapServers, String command) {
        String servers = bootstrapServers != null ? bootstrapServers
                : settings.get(ClusterConfigKeys.BOOTSTRAP_SERVERS);
        if (servers == null || servers.isBlank()) {
            throw new UsageException("Name the target cluster: --bootstrap-servers HOST:PORT (or "
                    + ClusterConfigKeys.BOOTSTRAP_SERVERS + " in the --config file, with its cluster.security.* "
                    + "settings)");
        }
        ConfigDef def = ClusterConfigKeys.define(new ConfigDef(), ConfigDef.Importance.HIGH, "");
        Map<String, Object> properties = ClusterConfigKeys.adminProperties(new AbstractConfig(def, settings, false),
                "kbackup-cli-" + command);
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers.trim());
        return Admin.create(properties);
    }
}
