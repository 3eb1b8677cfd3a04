package dev.kbackup.sink;

import dev.kbackup.config.ClusterConfigKeys;
import dev.kbackup.layout.SourceCluster;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/** Learns the backed-up cluster's id for the manifest, when {@code cluster.bootstrap.servers} is set. */
final class SourceClusterLookup {

    private static final Logger log = LoggerFactory.getLogger(SourceClusterLookup.class);
    private static final long TIMEOUT_SECONDS = 30;

    private SourceClusterLookup() {
    }

    /** The cluster's id and servers; only the servers if the cluster does not answer; unknown if not configured. */
    static SourceCluster of(BackupSinkConfig config) {
        if (!ClusterConfigKeys.isConfigured(config)) {
            return SourceCluster.UNKNOWN;
        }
        String servers = config.getString(ClusterConfigKeys.BOOTSTRAP_SERVERS);
        try (Admin admin = Admin.create(ClusterConfigKeys.adminProperties(config, "kbackup-" + config.connectorName()))) {
            return new SourceCluster(admin.describeCluster().clusterId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    servers);
        } catch (Exception e) {
            log.warn("Could not learn the cluster id from {}; the manifest will record only the bootstrap "
                    + "servers: {}", servers, e.toString());
            return new SourceCluster(null, servers);
        }
    }
}
