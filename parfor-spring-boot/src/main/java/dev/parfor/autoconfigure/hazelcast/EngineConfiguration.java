package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The Hazelcast engines, on the application's one Hazelcast instance. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(HazelcastInstance.class)
@Import(HazelcastEngineRegistrar.class)
class EngineConfiguration {}
