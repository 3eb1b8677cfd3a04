package dev.kbackup.format;

/**
 * An encrypted segment cannot be opened with the keys at hand: its master key id is not configured, or the key
 * configured under that id is not the one the segment was written with. Not corruption: the fix is a setting.
 */
public class SegmentKeyException extends RuntimeException {

    private final String segment;
    private final String keyId;

    public SegmentKeyException(String segment, String keyId, String message, Throwable cause) {
        super(message, cause);
        this.segment = segment;
        this.keyId = keyId;
    }

    public String segment() {
        return segment;
    }

    /** The id of the master key the segment needs. */
    public String keyId() {
        return keyId;
    }
}
