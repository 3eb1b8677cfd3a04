package dev.kbackup.e2e;

import dev.kbackup.testing.S3ProxyFixture;

import java.util.List;
import java.util.Map;

/** The end-to-end backup and restore against the S3 API (S3Proxy in this JVM), for every codec. */
class S3ProxyBackupAndRestoreIT extends AbstractBackupAndRestoreIT {

    private S3ProxyFixture s3;

    @Override
    protected Map<String, String> startStorage() throws Exception {
        s3 = S3ProxyFixture.start();
        return s3.connectorConfig();
    }

    @Override
    protected void stopStorage() {
        s3.close();
    }

    @Override
    protected List<String> codecs() {
        return List.of("zstd", "lz4", "none");
    }
}
