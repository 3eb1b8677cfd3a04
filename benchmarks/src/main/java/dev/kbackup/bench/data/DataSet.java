package dev.kbackup.bench.data;

import dev.kbackup.format.BackupRecord;

import java.util.Locale;

/** The two data sets every benchmark runs on: compressible order events and incompressible binary records. */
public enum DataSet {
    /** JSON order events of about 1.1 KB, keyed by customer, with a trace id and a content type header. */
    JSON,
    /** About 1 KB of random bytes per record, with an 8-byte random key and the same two headers. */
    BINARY;

    /** Part of the cached data files' names: raise it whenever a generator changes what it generates. */
    public static final int GENERATOR_VERSION = 2;

    /** The generator of this data set; the same seed always gives the same records. */
    public RecordGenerator generator(long seed) {
        return switch (this) {
            case JSON -> new OrderEvents(seed);
            case BINARY -> new BinaryRecords(seed);
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The topic the end-to-end benchmark loads this data set into. */
    public String topic() {
        return "bench-" + id();
    }

    public static DataSet fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }

    /** An endless, deterministic source of records; offsets count up from 0. */
    public interface RecordGenerator {
        BackupRecord next();
    }
}
