package dev.kbackup.quickstart;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The Java steps of {@code ./quickstart.sh}, one sub-command each:
 * <pre>
 * produce      BOOTSTRAP DEMO_FILE                      create the demo topics and produce order events
 * await-backup STORAGE_FILE DEMO_FILE TIMEOUT_S         wait until the backup's indexes list every record
 * verify       BOOTSTRAP STORAGE_FILE DEMO_FILE TIMEOUT_S compare the restored topics with the originals
 * </pre>
 * DEMO_FILE is a properties file the steps share (what was produced, the restore window, the topic mapping);
 * STORAGE_FILE holds the connectors' storage settings and backup.id. Exit code 0 on success, 1 on failure.
 */
public final class QuickstartTool {

    private QuickstartTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        boolean ok = switch (args[0]) {
            case "produce" -> {
                expect(args, 3);
                Properties demo = load(Path.of(args[2]));
                DemoOrders.Produced produced = new DemoOrders(args[1]).createTopicsAndProduce(
                        Integer.parseInt(demo.getProperty("orders.count", "4000")));
                produced.writeTo(demo);
                store(demo, Path.of(args[2]));
                System.out.println(produced.describe());
                yield true;
            }
            case "await-backup" -> {
                expect(args, 4);
                Properties demo = load(Path.of(args[2]));
                yield BackupProgress.await(load(Path.of(args[1])), Long.parseLong(demo.getProperty("records")),
                        Duration.ofSeconds(Long.parseLong(args[3])));
            }
            case "verify" -> {
                expect(args, 5);
                yield RestoreVerifier.verifyAndSummarize(args[1], load(Path.of(args[2])), load(Path.of(args[3])),
                        Duration.ofSeconds(Long.parseLong(args[4])));
            }
            default -> {
                usage();
                yield false;
            }
        };
        System.exit(ok ? 0 : 1);
    }

    static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            }
        }
        return properties;
    }

    static Map<String, String> asMap(Properties properties) {
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    private static void store(Properties properties, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "written by ./quickstart.sh");
        }
    }

    private static void expect(String[] args, int count) {
        if (args.length != count) {
            usage();
        }
    }

    private static void usage() {
        System.err.println("usage: QuickstartTool produce BOOTSTRAP DEMO_FILE | await-backup STORAGE_FILE DEMO_FILE "
                + "TIMEOUT_S | verify BOOTSTRAP STORAGE_FILE DEMO_FILE TIMEOUT_S");
        System.exit(2);
    }
}
