/**
 * Spring Boot auto-configuration for parfor: the {@link dev.parfor.ParallelFor} bean, engines declared in
 * {@code application.yml} as {@link dev.parfor.spi.Engine} beans, per-loop options, progress logging and graceful
 * shutdown. See {@link dev.parfor.autoconfigure.ParforProperties} for every property.
 */
@org.jspecify.annotations.NullMarked
package dev.parfor.autoconfigure;
