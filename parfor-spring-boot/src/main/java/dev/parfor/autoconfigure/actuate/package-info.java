/**
 * Actuator support for parfor: the read-only endpoint {@code parfor} (engines, running loops, recently finished
 * loops) and the {@code parfor} health contributor. Active when Spring Boot's actuator is on the class path.
 */
@org.jspecify.annotations.NullMarked
package dev.parfor.autoconfigure.actuate;
