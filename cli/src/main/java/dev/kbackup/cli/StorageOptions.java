package dev.kbackup.cli;

import dev.kbackup.format.TimeWindow;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The options every subcommand takes: where the storage settings come from, and how to print. */
final class StorageOptions {

    enum Format { HUMAN, JSON }

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Connector config with the storage settings: the JSON posted to Connect (bare map or "
                    + "{\"name\":..,\"config\":{..}}) or a .properties file. $${env:..}, $${file:..:..} and "
                    + "$${dir:..:..} references are resolved.")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Overrides one setting of the config file, e.g. --set storage.prefix=dr/ (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "human",
            description = "human (aligned tables) or json (for scripts). Default: ${DEFAULT-VALUE}.")
    Format output;

    private Map<String, String> loaded = Map.of();

    BackupStore open() {
        loaded = ConnectorConfigFile.load(config, overrides);
        return BackupStore.open(loaded);
    }

    /** A setting of the loaded config file (after overrides and references), or null. */
    String configValue(String key) {
        return loaded.get(key);
    }

    /** Every setting of the loaded config file, after overrides and references. */
    Map<String, String> settings() {
        return loaded;
    }

    /**
     * A time bound: the {@code flag}'s value if given, else {@code configKey} of the config (if not null), else
     * {@code open}.
     * ISO-8601 with a zone or epoch milliseconds.
     */
    long timeBound(String flag, String given, String configKey, long open) {
        String value = given != null ? given : configKey == null ? null : configValue(configKey);
        if (value == null || value.isBlank()) {
            return open;
        }
        try {
            return TimeWindow.parseBound(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException((given != null ? flag : configKey) + " '" + value + "': " + e.getMessage());
        }
    }

    boolean json() {
        return output == Format.JSON;
    }
}
