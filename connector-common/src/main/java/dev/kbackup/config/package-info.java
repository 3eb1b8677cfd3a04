/**
 * Connect-side code both connectors share: the config keys both add to their ConfigDef (backup id, Kafka cluster),
 * the admin client settings derived from them, and the checks both run in {@code validate()}.
 */
package dev.kbackup.config;
