package dev.kbackup.config;

import dev.kbackup.layout.BackupLayout;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Adds the {@value #BACKUP_ID} key to a ConfigDef, defined the same way for the backup and the restore connector. */
public final class BackupIdConfigKeys {

    public static final String BACKUP_ID = "backup.id";
    public static final String GROUP = "Backup";

    private BackupIdConfigKeys() {
    }

    /** Adds {@value #BACKUP_ID} (required) with the given documentation. */
    public static ConfigDef define(ConfigDef def, String documentation) {
        return def.define(BACKUP_ID, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new Validator(),
                ConfigDef.Importance.HIGH, documentation, GROUP, 0, ConfigDef.Width.MEDIUM, "Backup id");
    }

    private static final class Validator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null) {
                BackupLayout.backupIdProblem((String) value).ifPresent(problem -> {
                    throw new ConfigException(name, value, problem);
                });
            }
        }

        @Override
        public String toString() {
            return "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 200 characters";
        }
    }
}
