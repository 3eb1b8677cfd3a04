package dev.kbackup.format;

/** Unsigned LEB128 variable-length integers and ZigZag for signed ones, as in Kafka's record format. */
final class Varints {

    static final int MAX_VARLONG_BYTES = 10;

    private Varints() {
    }

    static long zigZag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    static long unZigZag(long value) {
        return (value >>> 1) ^ -(value & 1);
    }
}
