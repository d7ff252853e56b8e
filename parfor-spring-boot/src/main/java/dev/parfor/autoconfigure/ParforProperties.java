package dev.parfor.autoconfigure;

import dev.parfor.ErrorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.logging.LogLevel;

/**
 * Configuration properties of parfor, prefix {@code parfor}. Bound once at start-up; not thread-safe to change
 * afterwards.
 */
@ConfigurationProperties("parfor")
public class ParforProperties {

    /** Name of the engine loops run on unless a loop or its call site chooses another. */
    private String engine = "fork-join";

    /**
     * Engines by name. Tunes the built-in engines ('sequential', 'fork-join', 'virtual') and declares more, each with a
     * type.
     */
    private Map<String, EngineProperties> engines = new LinkedHashMap<>();

    /** Options of named loops. They beat what the loop's code says, so a loop can be re-routed without a release. */
    private Map<String, LoopProperties> loops = new LinkedHashMap<>();

    /**
     * Limits that several loops share, by name, such as the budget of one downstream service. A loop uses one with
     * 'parfor.loops.<loop>.limit' or in code with loop(..).limit(name).
     */
    private Map<String, LimitProperties> limits = new LinkedHashMap<>();

    private final Progress progress = new Progress();

    private final Shutdown shutdown = new Shutdown();

    private final Metrics metrics = new Metrics();

    private final Hazelcast hazelcast = new Hazelcast();

    public String getEngine() {
        return engine;
    }

    public void setEngine(String engine) {
        this.engine = engine;
    }

    public Map<String, EngineProperties> getEngines() {
        return engines;
    }

    public void setEngines(Map<String, EngineProperties> engines) {
        this.engines = engines;
    }

    public Map<String, LoopProperties> getLoops() {
        return loops;
    }

    public void setLoops(Map<String, LoopProperties> loops) {
        this.loops = loops;
    }

    public Map<String, LimitProperties> getLimits() {
        return limits;
    }

    public void setLimits(Map<String, LimitProperties> limits) {
        this.limits = limits;
    }

    public Progress getProgress() {
        return progress;
    }

    public Shutdown getShutdown() {
        return shutdown;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public Hazelcast getHazelcast() {
        return hazelcast;
    }

    /** One engine: its type and settings. Settings that do not apply to the type are ignored. */
    public static class EngineProperties {

        /**
         * Type of the engine: sequential, fork-join, virtual, executor or hazelcast. Defaults to the name for the
         * built-in engines.
         */
        private @Nullable EngineType type;

        /**
         * Number of worker threads of a fork-join engine, or the most tasks an executor engine hands to its executor
         * at once. Defaults to the number of available processors.
         */
        private @Nullable Integer parallelism;

        /** Maximum number of tasks run at once by a virtual engine. */
        private @Nullable Integer maxConcurrency;

        /** Name of the existing Executor bean that an executor engine runs tasks on, such as 'applicationTaskExecutor'. */
        private @Nullable String executor;

        /** Number of inputs per task for loops on this engine that do not set one. Sized automatically when unset. */
        private @Nullable Integer chunkSize;

        /** Name of the Hazelcast IExecutorService that a hazelcast engine submits tasks to. */
        private @Nullable String executorName;

        /** Number of threads of the Hazelcast executor service on each member. */
        private @Nullable Integer poolSize;

        /** Maximum number of times a hazelcast engine submits a task whose member left the cluster. */
        private @Nullable Integer maxAttempts;

        public @Nullable EngineType getType() {
            return type;
        }

        public void setType(@Nullable EngineType type) {
            this.type = type;
        }

        public @Nullable Integer getParallelism() {
            return parallelism;
        }

        public void setParallelism(@Nullable Integer parallelism) {
            this.parallelism = parallelism;
        }

        public @Nullable Integer getMaxConcurrency() {
            return maxConcurrency;
        }

        public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
        }

        public @Nullable String getExecutor() {
            return executor;
        }

        public void setExecutor(@Nullable String executor) {
            this.executor = executor;
        }

        public @Nullable Integer getChunkSize() {
            return chunkSize;
        }

        public void setChunkSize(@Nullable Integer chunkSize) {
            this.chunkSize = chunkSize;
        }

        public @Nullable String getExecutorName() {
            return executorName;
        }

        public void setExecutorName(@Nullable String executorName) {
            this.executorName = executorName;
        }

        public @Nullable Integer getPoolSize() {
            return poolSize;
        }

        public void setPoolSize(@Nullable Integer poolSize) {
            this.poolSize = poolSize;
        }

        public @Nullable Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(@Nullable Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }
    }

    /** Options of one named loop; each beats what the loop's code says. Unset options leave the code's choice. */
    public static class LoopProperties {

        /** Name of the engine the loop runs on. */
        private @Nullable String engine;

        /** Maximum number of the loop's tasks in flight at once. */
        private @Nullable Integer parallelism;

        /** Number of inputs per task. */
        private @Nullable Integer chunkSize;

        /** Longest time the whole loop may take before it is cancelled. */
        private @Nullable Duration timeout;

        /** Longest time one task may take before it counts as failed. */
        private @Nullable Duration taskTimeout;

        /** What a failed input does: fail-fast stops the loop, collect runs every input and reports failures. */
        private @Nullable ErrorPolicy onError;

        /** Number of times a failed input is retried. */
        private @Nullable Integer retries;

        /** Time to wait before a retry; used with 'retries'. */
        private @Nullable Duration backoff;

        /** Factor by which each further retry's wait grows; 2 unless set. */
        private @Nullable Double backoffMultiplier;

        /** Longest wait before a retry, however many retries came before; no cap unless set. */
        private @Nullable Duration maxBackoff;

        /** Random spread of each wait, as a fraction of it (0 to 1); 0 unless set. */
        private @Nullable Double jitter;

        /** Name of a limit under 'parfor.limits' whose permits every task of the loop takes. */
        private @Nullable String limit;

        public @Nullable Double getBackoffMultiplier() {
            return backoffMultiplier;
        }

        public void setBackoffMultiplier(@Nullable Double backoffMultiplier) {
            this.backoffMultiplier = backoffMultiplier;
        }

        public @Nullable Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(@Nullable Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public @Nullable Double getJitter() {
            return jitter;
        }

        public void setJitter(@Nullable Double jitter) {
            this.jitter = jitter;
        }

        public @Nullable String getLimit() {
            return limit;
        }

        public void setLimit(@Nullable String limit) {
            this.limit = limit;
        }

        public @Nullable String getEngine() {
            return engine;
        }

        public void setEngine(@Nullable String engine) {
            this.engine = engine;
        }

        public @Nullable Integer getParallelism() {
            return parallelism;
        }

        public void setParallelism(@Nullable Integer parallelism) {
            this.parallelism = parallelism;
        }

        public @Nullable Integer getChunkSize() {
            return chunkSize;
        }

        public void setChunkSize(@Nullable Integer chunkSize) {
            this.chunkSize = chunkSize;
        }

        public @Nullable Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(@Nullable Duration timeout) {
            this.timeout = timeout;
        }

        public @Nullable Duration getTaskTimeout() {
            return taskTimeout;
        }

        public void setTaskTimeout(@Nullable Duration taskTimeout) {
            this.taskTimeout = taskTimeout;
        }

        public @Nullable ErrorPolicy getOnError() {
            return onError;
        }

        public void setOnError(@Nullable ErrorPolicy onError) {
            this.onError = onError;
        }

        public @Nullable Integer getRetries() {
            return retries;
        }

        public void setRetries(@Nullable Integer retries) {
            this.retries = retries;
        }

        public @Nullable Duration getBackoff() {
            return backoff;
        }

        public void setBackoff(@Nullable Duration backoff) {
            this.backoff = backoff;
        }
    }

    /** A limit that loops share: at most so many of their tasks at once, and at most so many started per second. */
    public static class LimitProperties {

        /** Maximum number of tasks of all loops using the limit that run at once. */
        private @Nullable Integer maxConcurrency;

        /** Average number of tasks of all loops using the limit started per second. */
        private @Nullable Double rate;

        /** Number of tasks that may start at once after an idle time, when 'rate' is set; the rate, rounded up, unless set. */
        private @Nullable Integer burst;

        public @Nullable Integer getMaxConcurrency() {
            return maxConcurrency;
        }

        public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
        }

        public @Nullable Double getRate() {
            return rate;
        }

        public void setRate(@Nullable Double rate) {
            this.rate = rate;
        }

        public @Nullable Integer getBurst() {
            return burst;
        }

        public void setBurst(@Nullable Integer burst) {
            this.burst = burst;
        }
    }

    /** Progress lines while loops run and the summary line when one finishes. */
    public static class Progress {

        /** Least time between two progress lines of one running loop. */
        private Duration interval = Duration.ofSeconds(10);

        /** Log level of the progress lines of running loops ('off' for none). */
        private LogLevel logLevel = LogLevel.INFO;

        /**
         * Log level of the one-line summary written when a loop finishes ('off' for none). A loop that ran at least the
         * progress interval logs it at INFO, or at this level if higher.
         */
        private LogLevel summaryLogLevel = LogLevel.DEBUG;

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public LogLevel getLogLevel() {
            return logLevel;
        }

        public void setLogLevel(LogLevel logLevel) {
            this.logLevel = logLevel;
        }

        public LogLevel getSummaryLogLevel() {
            return summaryLogLevel;
        }

        public void setSummaryLogLevel(LogLevel summaryLogLevel) {
            this.summaryLogLevel = summaryLogLevel;
        }
    }

    /** What happens to running loops when the application context closes. */
    public static class Shutdown {

        /** Time running loops get to finish when the application shuts down; then they are cancelled. */
        private Duration awaitTerminationPeriod = Duration.ofSeconds(10);

        public Duration getAwaitTerminationPeriod() {
            return awaitTerminationPeriod;
        }

        public void setAwaitTerminationPeriod(Duration awaitTerminationPeriod) {
            this.awaitTerminationPeriod = awaitTerminationPeriod;
        }
    }

    /** Micrometer metrics. */
    public static class Metrics {

        private final TaskTimer taskTimer = new TaskTimer();

        public TaskTimer getTaskTimer() {
            return taskTimer;
        }

        /** The per-task timer 'parfor.task'. */
        public static class TaskTimer {

            /** Whether to time every task with the timer 'parfor.task' (one more timer per engine, loop and outcome). */
            private boolean enabled;

            public boolean isEnabled() {
                return enabled;
            }

            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }
        }
    }

    /** Settings of the Hazelcast engine. */
    public static class Hazelcast {

        /** Packages (and their sub-packages) whose classes Hazelcast may deserialize with Java serialization. */
        private List<String> allowedPackages = new ArrayList<>();

        private final Embedded embedded = new Embedded();

        private final Stragglers stragglers = new Stragglers();

        /**
         * The straggler re-runs of the Hazelcast engines.
         *
         * @return the straggler properties
         */
        public Stragglers getStragglers() {
            return stragglers;
        }

        /**
         * The allowed packages.
         *
         * @return a mutable list
         */
        public List<String> getAllowedPackages() {
            return allowedPackages;
        }

        /**
         * Sets the allowed packages.
         *
         * @param allowedPackages the packages
         */
        public void setAllowedPackages(List<String> allowedPackages) {
            this.allowedPackages = allowedPackages;
        }

        /**
         * The embedded member.
         *
         * @return the embedded member's properties
         */
        public Embedded getEmbedded() {
            return embedded;
        }

        /** Re-runs of chunks that run far longer than their loop's typical chunk, on another member. */
        public static class Stragglers {

            /** Whether to run a straggling chunk a second time on another member; the first answer wins. */
            private boolean enabled = true;

            /** How many times the loop's median chunk time a chunk may take before it is run again. */
            private double multiple = 4.0;

            /** Shortest time a chunk is out before it is run again, whatever the median. */
            private Duration minimum = Duration.ofSeconds(2);

            /**
             * Whether straggler re-runs are on.
             *
             * @return whether they are on
             */
            public boolean isEnabled() {
                return enabled;
            }

            /**
             * Sets whether straggler re-runs are on.
             *
             * @param enabled whether they are on
             */
            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }

            /**
             * The multiple of the median chunk time.
             *
             * @return the multiple
             */
            public double getMultiple() {
                return multiple;
            }

            /**
             * Sets the multiple of the median chunk time.
             *
             * @param multiple the multiple
             */
            public void setMultiple(double multiple) {
                this.multiple = multiple;
            }

            /**
             * The shortest time before a re-run.
             *
             * @return the time
             */
            public Duration getMinimum() {
                return minimum;
            }

            /**
             * Sets the shortest time before a re-run.
             *
             * @param minimum the time
             */
            public void setMinimum(Duration minimum) {
                this.minimum = minimum;
            }
        }

        /** An embedded Hazelcast member, started when enabled and the application has no HazelcastInstance. */
        public static class Embedded {

            /**
             * Whether to start an embedded Hazelcast member when the application has no HazelcastInstance (and no
             * Hazelcast configuration Spring Boot would start one from).
             */
            private boolean enabled;

            /** Name of the cluster the embedded member joins. Defaults to spring.application.name. */
            private @Nullable String clusterName;

            /** Port the embedded member listens on. */
            private int port = 5701;

            /** Addresses of the other members (host or host:port); none means a cluster of one. */
            private List<String> members = new ArrayList<>();

            /**
             * Network interface the embedded member binds to. Defaults to 127.0.0.1, or to any interface with
             * Kubernetes discovery.
             */
            private @Nullable String networkInterface;

            private final Kubernetes kubernetes = new Kubernetes();

            /**
             * Kubernetes discovery.
             *
             * @return the Kubernetes properties
             */
            public Kubernetes getKubernetes() {
                return kubernetes;
            }

            /**
             * Whether the embedded member is on.
             *
             * @return whether it is on
             */
            public boolean isEnabled() {
                return enabled;
            }

            /**
             * Sets whether the embedded member is on.
             *
             * @param enabled whether it is on
             */
            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }

            /**
             * The cluster name.
             *
             * @return the name
             */
            public @Nullable String getClusterName() {
                return clusterName;
            }

            /**
             * Sets the cluster name.
             *
             * @param clusterName the name
             */
            public void setClusterName(@Nullable String clusterName) {
                this.clusterName = clusterName;
            }

            /**
             * The port.
             *
             * @return the port
             */
            public int getPort() {
                return port;
            }

            /**
             * Sets the port.
             *
             * @param port the port
             */
            public void setPort(int port) {
                this.port = port;
            }

            /**
             * The other members.
             *
             * @return a mutable list
             */
            public List<String> getMembers() {
                return members;
            }

            /**
             * Sets the other members.
             *
             * @param members the members
             */
            public void setMembers(List<String> members) {
                this.members = members;
            }

            /**
             * The network interface, property {@code parfor.hazelcast.embedded.interface}.
             *
             * @return the interface
             */
            public @Nullable String getInterface() {
                return networkInterface;
            }

            /**
             * Sets the network interface.
             *
             * @param networkInterface the interface
             */
            public void setInterface(@Nullable String networkInterface) {
                this.networkInterface = networkInterface;
            }

            /**
             * Discovery of the other members through Kubernetes, with Hazelcast's built-in Kubernetes join: a DNS
             * lookup of a headless service, or the Kubernetes API.
             */
            public static class Kubernetes {

                /** Whether members find each other through Kubernetes instead of the members list. */
                private boolean enabled;

                /**
                 * DNS name of the headless service whose pods are the members, such as
                 * my-app-hazelcast.my-namespace.svc.cluster.local; set it for DNS lookup, leave it empty to use the
                 * Kubernetes API.
                 */
                private @Nullable String serviceDns;

                /** Name of the service whose endpoints are the members, for the Kubernetes API. */
                private @Nullable String serviceName;

                /** Namespace to look members up in, for the Kubernetes API; defaults to the pod's own. */
                private @Nullable String namespace;

                /** Hazelcast port of the members found; defaults to the embedded member's port. */
                private @Nullable Integer servicePort;

                /**
                 * Whether Kubernetes discovery is on.
                 *
                 * @return whether it is on
                 */
                public boolean isEnabled() {
                    return enabled;
                }

                /**
                 * Sets whether Kubernetes discovery is on.
                 *
                 * @param enabled whether it is on
                 */
                public void setEnabled(boolean enabled) {
                    this.enabled = enabled;
                }

                /**
                 * The headless service's DNS name.
                 *
                 * @return the name, or null for the Kubernetes API
                 */
                public @Nullable String getServiceDns() {
                    return serviceDns;
                }

                /**
                 * Sets the headless service's DNS name.
                 *
                 * @param serviceDns the name
                 */
                public void setServiceDns(@Nullable String serviceDns) {
                    this.serviceDns = serviceDns;
                }

                /**
                 * The service name for the Kubernetes API.
                 *
                 * @return the name, or null
                 */
                public @Nullable String getServiceName() {
                    return serviceName;
                }

                /**
                 * Sets the service name for the Kubernetes API.
                 *
                 * @param serviceName the name
                 */
                public void setServiceName(@Nullable String serviceName) {
                    this.serviceName = serviceName;
                }

                /**
                 * The namespace for the Kubernetes API.
                 *
                 * @return the namespace, or null for the pod's own
                 */
                public @Nullable String getNamespace() {
                    return namespace;
                }

                /**
                 * Sets the namespace for the Kubernetes API.
                 *
                 * @param namespace the namespace
                 */
                public void setNamespace(@Nullable String namespace) {
                    this.namespace = namespace;
                }

                /**
                 * The members' Hazelcast port.
                 *
                 * @return the port, or null for the embedded member's port
                 */
                public @Nullable Integer getServicePort() {
                    return servicePort;
                }

                /**
                 * Sets the members' Hazelcast port.
                 *
                 * @param servicePort the port
                 */
                public void setServicePort(@Nullable Integer servicePort) {
                    this.servicePort = servicePort;
                }
            }
        }
    }
}
