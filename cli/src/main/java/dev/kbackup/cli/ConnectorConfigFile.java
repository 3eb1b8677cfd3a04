package dev.kbackup.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A connector's configuration as the user already has it: the JSON posted to Connect (a bare config map or
 * {@code {"name": .., "config": {..}}}) or a {@code .properties} file. References such as {@code ${env:VAR}},
 * {@code ${file:/path:key}} and {@code ${dir:/path:file}} are resolved by Kafka's own config providers, the ones a
 * worker configures as {@code config.providers=env,file,dir}, so a value means here what it means in Connect.
 */
final class ConnectorConfigFile {

    private static final Pattern UNRESOLVED = Pattern.compile("\\$\\{(env|file|dir):[^}]*}");

    private ConnectorConfigFile() {
    }

    /** Reads {@code file}, applies {@code overrides} (later wins) and resolves every reference. */
    static Map<String, String> load(Path file, Map<String, String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("Config file " + file + " does not exist: give --config the connector JSON "
                    + "you posted to Connect or a .properties file with the storage settings");
        } catch (IOException e) {
            throw new UsageException("Could not read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> config = new LinkedHashMap<>(looksLikeJson(file, text) ? parseJson(file, text)
                : parseProperties(file, text));
        config.putAll(overrides);
        return resolve(file, config);
    }

    private static boolean looksLikeJson(Path file, String text) {
        return !file.getFileName().toString().endsWith(".properties") && text.stripLeading().startsWith("{");
    }

    private static Map<String, String> parseJson(Path file, String text) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new UsageException("Config file " + file + " is not valid JSON: " + e.getOriginalMessage()
                    + ". Give the connector JSON you posted to Connect, or a .properties file");
        }
        JsonNode config = root.path("config").isObject() ? root.get("config") : root;
        Map<String, String> values = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = config.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isContainerNode()) {
                throw new UsageException("Config file " + file + ": the value of '" + field.getKey() + "' is "
                        + (value.isArray() ? "an array" : "an object") + "; connector settings are strings, e.g. \""
                        + field.getKey() + "\": \"value\"");
            }
            if (!value.isNull()) {
                values.put(field.getKey(), value.asText());
            }
        }
        return values;
    }

    private static Map<String, String> parseProperties(Path file, String text) {
        Properties properties = new Properties();
        try (Reader reader = new StringReader(text)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("Config file " + file + " is not a valid .properties file: " + e.getMessage());
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
        return values;
    }

    private static Map<String, String> resolve(Path file, Map<String, String> config) {
        Map<String, ConfigProvider> providers = Map.of("env", new EnvVarConfigProvider(),
                "file", new FileConfigProvider(), "dir", new DirectoryConfigProvider());
        providers.values().forEach(provider -> provider.configure(Map.of()));
        Map<String, String> resolved;
        try {
            resolved = new ConfigTransformer(providers).transform(config).data();
        } catch (ConfigException e) {
            throw new UsageException("Could not resolve a reference in " + file + ": " + e.getMessage(), e);
        } finally {
            providers.values().forEach(ConnectorConfigFile::closeQuietly);
        }
        resolved.forEach((key, value) -> {
            Matcher unresolved = value == null ? null : UNRESOLVED.matcher(value);
            if (unresolved != null && unresolved.find()) {
                throw new UsageException("Setting '" + key + "' in " + file + " refers to " + unresolved.group()
                        + ", which has no value here: set that environment variable, or create that file and key, "
                        + "or override the setting with --set " + key + "=VALUE");
            }
        });
        return resolved;
    }

    private static void closeQuietly(ConfigProvider provider) {
        try {
            provider.close();
        } catch (IOException ignored) {
            // providers hold nothing worth reporting
        }
    }
}
