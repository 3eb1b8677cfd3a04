package dev.kbackup.packaging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes {@code bin/kbackup}: a shell stub followed by a jar. A jar is read from its end, so java takes the whole
 * file as its classpath entry, while a Connect worker scanning plugin.path ignores it (only *.jar and *.zip names
 * are plugin code): the kafka-clients classes inside never reach a connector's classpath.
 * Arguments: the stub, the jar, the file to write.
 */
public final class ExecutableScript {

    private ExecutableScript() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("Usage: ExecutableScript STUB JAR OUTPUT");
        }
        Path stub = Path.of(args[0]);
        Path jar = Path.of(args[1]);
        Path output = Path.of(args[2]);
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: the cli module builds it; build with it, e.g. "
                    + "mvn -o package -pl packaging -am");
        }
        Files.createDirectories(output.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(output)) {
            Files.copy(stub, out);
            Files.copy(jar, out);
        }
        try {
            Files.setPosixFilePermissions(output, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX filesystem: the archives set the mode themselves
        }
    }
}
