package dev.kbackup.packaging;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's files are, for tests that read docs/ and examples/. */
final class RepoPaths {

    private RepoPaths() {
    }

    /** The repository root: from the build's system property, else the parent of the packaging module. */
    static Path root() {
        String configured = System.getProperty("kbackup.repo.root");
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        if (!Files.isDirectory(root.resolve("packaging"))) {
            throw new IllegalStateException("Not the repository root: " + root.toAbsolutePath());
        }
        return root.toAbsolutePath().normalize();
    }
}
