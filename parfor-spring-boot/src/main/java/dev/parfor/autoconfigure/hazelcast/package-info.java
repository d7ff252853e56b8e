/**
 * Auto-configuration of parfor's Hazelcast engine: an embedded, secure-by-default Hazelcast member when the
 * application has none, and the {@code hazelcast} engine on whichever {@code HazelcastInstance} there is.
 */
@NullMarked
package dev.parfor.autoconfigure.hazelcast;

import org.jspecify.annotations.NullMarked;
