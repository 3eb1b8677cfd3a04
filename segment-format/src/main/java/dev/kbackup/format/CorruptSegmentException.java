package dev.kbackup.format;

/**
 * A segment's bytes are not what the format promises: wrong magic, unknown version, a checksum mismatch, a
 * truncation, or an impossible length. Names the segment, the block (or -1 outside blocks) and the byte position.
 */
public class CorruptSegmentException extends RuntimeException {

    private final String segment;
    private final int block;
    private final long position;

    public CorruptSegmentException(String segment, int block, long position, String problem, Throwable cause) {
        super("Segment " + segment + " is corrupt at byte " + position
                + (block >= 0 ? " (block " + block + ")" : "") + ": " + problem, cause);
        this.segment = segment;
        this.block = block;
        this.position = position;
    }

    public CorruptSegmentException(String segment, int block, long position, String problem) {
        this(segment, block, position, problem, null);
    }

    /** The segment's name, normally its object key. */
    public String segment() {
        return segment;
    }

    /** Index of the block where the problem was found, or -1 if it was in the header, footer or trailer. */
    public int block() {
        return block;
    }

    /** Byte position in the segment where the problem was found. */
    public long position() {
        return position;
    }
}
