package dev.kbackup.format;

import java.util.Locale;

/** How the blocks of a segment are compressed. The id is what the segment stores; the extension ends its key. */
public enum Codec {
    NONE(0, "bin"),
    ZSTD(1, "zst"),
    LZ4(2, "lz4");

    public static final int ZSTD_MIN_LEVEL = 1;
    public static final int ZSTD_MAX_LEVEL = 22;
    public static final int ZSTD_DEFAULT_LEVEL = 3;

    private final int id;
    private final String extension;

    Codec(int id, String extension) {
        this.id = id;
        this.extension = extension;
    }

    public int id() {
        return id;
    }

    /** The object-key extension, without the dot. */
    public String extension() {
        return extension;
    }

    /** The name used in configs: {@code none}, {@code zstd} or {@code lz4}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Codec fromId(int id) {
        for (Codec codec : values()) {
            if (codec.id == id) {
                return codec;
            }
        }
        throw new IllegalArgumentException("Unknown codec id " + id);
    }

    /** Parses a config value such as {@code zstd}; case-insensitive. */
    public static Codec fromConfigName(String name) {
        for (Codec codec : values()) {
            if (codec.configName().equalsIgnoreCase(name.trim())) {
                return codec;
            }
        }
        throw new IllegalArgumentException("Unknown compression type '" + name + "'; use one of zstd, lz4, none");
    }

    public static Codec fromExtension(String extension) {
        for (Codec codec : values()) {
            if (codec.extension.equals(extension)) {
                return codec;
            }
        }
        throw new IllegalArgumentException("Unknown segment extension '" + extension + "'");
    }

    /** A compressor for this codec; {@code level} matters only for zstd. Not thread-safe: one per thread. */
    public BlockCompressor newCompressor(int level) {
        return switch (this) {
            case NONE -> BlockCompressor.NONE;
            case ZSTD -> new ZstdBlockCompressor(level);
            case LZ4 -> new Lz4BlockCompressor();
        };
    }

    /** A decompressor for this codec. Not thread-safe: one per thread. */
    public BlockDecompressor newDecompressor() {
        return switch (this) {
            case NONE -> BlockDecompressor.NONE;
            case ZSTD -> new ZstdBlockDecompressor();
            case LZ4 -> new Lz4BlockDecompressor();
        };
    }
}
