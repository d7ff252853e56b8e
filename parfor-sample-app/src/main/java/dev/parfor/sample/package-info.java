/**
 * The parfor sample application: a Spring Boot web service that runs a CPU-bound loop (a Mandelbrot image), an
 * I/O-bound loop (HTTP calls on virtual threads), a loop over a large shared context, a loop across a Hazelcast
 * cluster and a slow demo loop, and shows them on a live page fed by the {@code parfor} actuator endpoint.
 */
@org.jspecify.annotations.NullMarked
package dev.parfor.sample;
