package dev.kbackup.config;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.HashMap;
import java.util.Map;

/**
 * Adds the keys that say how a connector reaches the Kafka cluster it works with (for admin requests) to a
 * ConfigDef, and reads them back: Connect does not hand plugins its own connection, so the connector config names
 * the cluster. Any setting prefixed {@value #PREFIX} other than the bootstrap servers (security.protocol, sasl.*,
 * ssl.*) is passed to the admin client as it is.
 */
public final class ClusterConfigKeys {

    public static final String PREFIX = "cluster.";
    public static final String BOOTSTRAP_SERVERS = PREFIX + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String GROUP = "Kafka cluster";

    private ClusterConfigKeys() {
    }

    /**
     * Adds {@value #BOOTSTRAP_SERVERS}.
     *
     * @param purpose what the connector uses the cluster for, completing the documentation sentence
     */
    public static ConfigDef define(ConfigDef def, ConfigDef.Importance importance, String purpose) {
        return def.define(BOOTSTRAP_SERVERS, ConfigDef.Type.STRING, null, importance,
                "Bootstrap servers of the Kafka cluster this connector works with, normally the same as the Connect "
                        + "worker's bootstrap.servers. " + purpose + " Security settings for that connection go in "
                        + "keys with the same prefix, e.g. cluster.security.protocol, cluster.sasl.mechanism, "
                        + "cluster.sasl.jaas.config.",
                GROUP, 1, ConfigDef.Width.LONG, "Kafka bootstrap servers");
    }

    /** True when the config names a cluster. */
    public static boolean isConfigured(AbstractConfig config) {
        String servers = config.getString(BOOTSTRAP_SERVERS);
        return servers != null && !servers.isBlank();
    }

    /** Admin client properties: every {@value #PREFIX} key with the prefix removed. */
    public static Map<String, Object> adminProperties(AbstractConfig config, String clientId) {
        Map<String, Object> properties = new HashMap<>(config.originalsWithPrefix(PREFIX));
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        properties.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        properties.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return properties;
    }
}
