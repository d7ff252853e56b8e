/**
 * JMH benchmarks of the harness's workloads, for a closer look at one contender at a time: run them with
 * {@code -Dbench.args="--jmh <regex> <jmh options>"} (see BENCHMARKS.md).
 */
@org.jspecify.annotations.NullMarked
package dev.parfor.benchmarks.jmh;
