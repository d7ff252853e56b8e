/**
 * Side-by-side measurements of parfor against a plain loop, parallel streams, executors, {@code CompletableFuture},
 * parallel-collectors and Reactor. {@link dev.parfor.benchmarks.Harness} runs every workload in its own JVM and
 * prints one Markdown table; the JMH benchmarks in {@code dev.parfor.benchmarks.jmh} measure the same contenders
 * one at a time.
 */
@org.jspecify.annotations.NullMarked
package dev.parfor.benchmarks;
