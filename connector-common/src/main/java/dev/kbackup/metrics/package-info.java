/**
 * Declarations of the metrics the connectors' tasks register: each connector lists its metrics once, as
 * {@link dev.kbackup.metrics.TaskMetric}s, registers them from that list and generates docs/monitoring.md from it.
 */
package dev.kbackup.metrics;
