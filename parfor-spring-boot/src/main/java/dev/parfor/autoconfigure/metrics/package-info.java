/**
 * Micrometer support for parfor: the observation {@code parfor.loop} (a timer and the long task timer
 * {@code parfor.loop.active}), the counter {@code parfor.tasks}, gauges of running loops and engines, and pool metrics
 * through {@code ExecutorServiceMetrics}. Active when Micrometer is on the class path.
 */
@org.jspecify.annotations.NullMarked
package dev.parfor.autoconfigure.metrics;
