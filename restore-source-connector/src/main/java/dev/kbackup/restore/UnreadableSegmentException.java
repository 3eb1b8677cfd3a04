package dev.kbackup.restore;

/** A segment could not be read and the policy is to fail; the message says which, where and what to do. */
final class UnreadableSegmentException extends RuntimeException {

    UnreadableSegmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
