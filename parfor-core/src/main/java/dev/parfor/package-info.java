/**
 * parfor runs the body of a for loop over many inputs at once, on an engine chosen by configuration:
 * the caller's thread, a work-stealing pool, virtual threads, an existing {@link java.util.concurrent.Executor}
 * or a Hazelcast cluster. Start with {@link dev.parfor.ParallelFor}.
 */
@NullMarked
package dev.parfor;

import org.jspecify.annotations.NullMarked;
