/**
 * The Hazelcast engine: one loop spread over the members of a Hazelcast cluster through an
 * {@code IExecutorService}, with the loop's context stored once in the cluster and cached once per member. Start
 * with {@link dev.parfor.hazelcast.HazelcastEngine#builder(com.hazelcast.core.HazelcastInstance)}; build a member
 * configuration that is secure by default with {@link dev.parfor.hazelcast.ParforHazelcast#secureConfig}.
 * Hazelcast is an optional dependency of parfor-core: this package needs {@code com.hazelcast:hazelcast} on the
 * class path.
 */
@NullMarked
package dev.parfor.hazelcast;

import org.jspecify.annotations.NullMarked;
