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

        /** Prefix of the names of the engine's threads. Defaults to 'parfor-' and the engine's name. */
        private @Nullable String threadNamePrefix;

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

        public @Nullable String getThreadNamePrefix() {
            return threadNamePrefix;
        }

        public void setThreadNamePrefix(@Nullable String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
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

        /** An embedded Hazelcast member started when the application has no HazelcastInstance of its own. */
        public static class Embedded {

            /** Whether to start an embedded Hazelcast member when the application has no HazelcastInstance. */
            private boolean enabled = true;

            /** Name of the cluster the embedded member joins. */
            private String clusterName = "parfor";

            /** Port the embedded member listens on. */
            private int port = 5701;

            /** Addresses of the other members (host or host:port); none means a cluster of one. */
            private List<String> members = new ArrayList<>();

            /** Network interface the embedded member binds to. */
            private String networkInterface = "127.0.0.1";

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
            public String getClusterName() {
                return clusterName;
            }

            /**
             * Sets the cluster name.
             *
             * @param clusterName the name
             */
            public void setClusterName(String clusterName) {
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
            public String getInterface() {
                return networkInterface;
            }

            /**
             * Sets the network interface.
             *
             * @param networkInterface the interface
             */
            public void setInterface(String networkInterface) {
                this.networkInterface = networkInterface;
            }
        }
    }
}
