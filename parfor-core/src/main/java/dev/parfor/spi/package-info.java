/**
 * The engine SPI: what an engine author implements ({@link dev.parfor.spi.Engine}) and receives
 * ({@link dev.parfor.spi.Chunk}, {@link dev.parfor.spi.ChunkOutcome}). An engine only runs chunks somewhere; ordering,
 * chunking, windowing, retries, timeouts, cancellation and events belong to parfor's scheduler and are the same on every
 * engine. Users who only run loops never need this package beyond passing an {@code Engine} to
 * {@link dev.parfor.ParallelFor}.
 */
@NullMarked
package dev.parfor.spi;

import org.jspecify.annotations.NullMarked;
