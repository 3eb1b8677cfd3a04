package dev.kbackup.storage;

/**
 * One problem with a configuration value that a single-field validator cannot see (it depends on other fields or on
 * the environment). Connectors add {@code message} to the named field's {@code ConfigValue} in {@code validate()}.
 */
public record ConfigProblem(String name, String message) {
}
