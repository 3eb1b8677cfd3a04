package dev.kbackup.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end backup and restore against a directory (storage.type=filesystem). One codec: the S3 run covers
 * the others, and this one keeps the added CI time to one round trip and the window restore.
 */
class FilesystemBackupAndRestoreIT extends AbstractBackupAndRestoreIT {

    @Override
    protected Map<String, String> startStorage() throws Exception {
        Path root = Files.createTempDirectory("kbackup-e2e-fs");
        return Map.of("storage.type", "filesystem", "filesystem.path", root.toString());
    }

    @Override
    protected void stopStorage() {
        // The directory stays behind in the temp dir, as the state directories do, for a look after a failure.
    }

    @Override
    protected List<String> codecs() {
        return List.of("zstd");
    }
}
