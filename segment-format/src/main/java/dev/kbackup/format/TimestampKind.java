package dev.kbackup.format;

/** Which clock a record's timestamp came from, as Kafka's record attribute says. */
public enum TimestampKind {
    CREATE_TIME,
    LOG_APPEND_TIME
}
