package dev.kbackup.packaging;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Reads the built plugin archives: entries of the zip and the tar.gz, and the entries of jars inside them. */
final class PluginArchives {

    private PluginArchives() {
    }

    static Path hubZip() {
        return Path.of(System.getProperty("kbackup.hub.zip"));
    }

    static Path pluginTarball() {
        return Path.of(System.getProperty("kbackup.plugin.tarball"));
    }

    static String projectVersion() {
        return System.getProperty("kbackup.version");
    }

    /** File entries of a zip or jar, by name. */
    static Map<String, byte[]> zipEntries(InputStream in) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (!entry.isDirectory()) {
                    entries.put(entry.getName(), zip.readAllBytes());
                }
            }
        }
        return entries;
    }

    static Map<String, byte[]> zipEntries(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return zipEntries(in);
        }
    }

    static Map<String, byte[]> jarEntries(byte[] jar) throws IOException {
        return zipEntries(new ByteArrayInputStream(jar));
    }

    /** File entries of a gzip-compressed tar (ustar, with pax path records), by name. */
    static Map<String, byte[]> tarGzEntries(Path file) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        tarGzFiles(file).forEach((name, entry) -> entries.put(name, entry.data()));
        return entries;
    }

    /** Permission bits of the tar's file entries, by name (0755 for an executable). */
    static Map<String, Integer> tarGzModes(Path file) throws IOException {
        Map<String, Integer> modes = new TreeMap<>();
        tarGzFiles(file).forEach((name, entry) -> modes.put(name, entry.mode()));
        return modes;
    }

    private record TarFile(byte[] data, int mode) {
    }

    private static Map<String, TarFile> tarGzFiles(Path file) throws IOException {
        Map<String, TarFile> entries = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            byte[] header = new byte[512];
            String paxPath = null;
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                int mode = Integer.parseInt(text(header, 100, 8).trim(), 8) & 0777;
                long size = Long.parseLong(text(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                byte[] data = in.readNBytes((int) size);
                in.skipNBytes((512 - size % 512) % 512);
                if (type == 'x') {
                    paxPath = paxValue(new String(data, StandardCharsets.UTF_8), "path");
                    continue;
                }
                String path = paxPath != null ? paxPath : prefix.isEmpty() ? name : prefix + "/" + name;
                paxPath = null;
                if (type == '0' || type == '\0') {
                    entries.put(path, new TarFile(data, mode));
                }
            }
        }
        return entries;
    }

    /** Writes the tarball's files below {@code directory}, keeping their executable bits. */
    static void unpackTarGz(Path file, Path directory) throws IOException {
        for (Map.Entry<String, TarFile> entry : tarGzFiles(file).entrySet()) {
            Path target = directory.resolve(entry.getKey()).normalize();
            if (!target.startsWith(directory)) {
                throw new IOException("Entry escapes the directory: " + entry.getKey());
            }
            Files.createDirectories(target.getParent());
            Files.write(target, entry.getValue().data());
            if ((entry.getValue().mode() & 0100) != 0) {
                target.toFile().setExecutable(true, false);
            }
        }
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String paxValue(String records, String key) {
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            int equals = record.indexOf('=');
            if (space > 0 && equals > space && record.substring(space + 1, equals).equals(key)) {
                return record.substring(equals + 1);
            }
        }
        return null;
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
