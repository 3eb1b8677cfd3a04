package dev.kbackup.testing;

import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

import java.util.Map;

/**
 * What an integration test of a connector starts first, written once: an in-memory S3Proxy and a Connect cluster
 * ({@link ConnectClusters#start}); {@link #close()} stops the cluster, then the proxy.
 */
public final class S3ConnectFixture implements AutoCloseable {

    private final S3ProxyFixture s3;
    private final EmbeddedConnectCluster connect;

    private S3ConnectFixture(S3ProxyFixture s3, EmbeddedConnectCluster connect) {
        this.s3 = s3;
        this.connect = connect;
    }

    /** Starts the proxy, then one broker and {@code workers} workers; stops the proxy if the cluster fails. */
    public static S3ConnectFixture start(String name, int workers, Map<String, String> extraWorkerProps)
            throws Exception {
        S3ProxyFixture s3 = S3ProxyFixture.start();
        try {
            return new S3ConnectFixture(s3, ConnectClusters.start(name, workers, extraWorkerProps));
        } catch (RuntimeException | Error e) {
            s3.close();
            throw e;
        }
    }

    public S3ProxyFixture s3() {
        return s3;
    }

    public EmbeddedConnectCluster connect() {
        return connect;
    }

    @Override
    public void close() {
        try {
            connect.stop();
        } finally {
            s3.close();
        }
    }
}
