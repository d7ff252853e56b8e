/**
 * Reliability tests of parfor through its public API only: random loops checked against invariants, load, fail-fast,
 * timeouts, cancellation, nesting, bad input, cluster faults and a soak run. Each test class writes the figures it
 * measured to {@code target/reliability/}, from which {@code RELIABILITY.md} is written.
 */
@NullMarked
package dev.parfor.reliability;

import org.jspecify.annotations.NullMarked;
