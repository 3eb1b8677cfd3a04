package dev.kbackup.cli;

/** The command line or the config file it names cannot be used: exit code 2, with a message saying what to write. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
