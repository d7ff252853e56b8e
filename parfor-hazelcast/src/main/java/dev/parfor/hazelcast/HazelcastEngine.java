package dev.parfor.hazelcast;

import com.hazelcast.client.HazelcastClientOfflineException;
import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.exception.RetryableException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.parfor.LoopInfo;
import dev.parfor.spi.Chunk;
import dev.parfor.spi.ChunkOutcome;
import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import dev.parfor.spi.Placement;
import java.io.IOException;
import java.io.InvalidClassException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * An {@link Engine} that runs a loop's chunks on the members of a Hazelcast cluster, through an
 * {@link IExecutorService}.
 *
 * <pre>{@code
 * HazelcastInstance member = Hazelcast.newHazelcastInstance(
 *         ParforHazelcast.secureConfig("orders", 5701, List.of("127.0.0.1"), List.of("com.example.orders")));
 * try (ParallelFor parfor = ParallelFor.create(HazelcastEngine.builder(member).maxAttempts(5).build())) {
 *     List<Report> reports = parfor.map(customers, priceList, Reports::render); // static method reference
 * }
 * }</pre>
 *
 * <p>How a loop runs:
 *
 * <ul>
 *   <li>When the loop starts, its body and context are serialized and stored once, under the loop's id, in the
 *       IMap {@value MemberSide#PAYLOADS}. A body or context that does not serialize refuses the loop before anything
 *       is sent, with an {@link IllegalArgumentException} that says how to fix it.
 *   <li>Each chunk carries only the loop id, its first index and its inputs, and is submitted to the owner of a key
 *       made of the loop id and the index (salted so that every data member is sent an equal share of the loop's
 *       inputs), so Hazelcast routes it to a live member. Each member reads and
 *       deserializes a loop's body and context once, caches them for the loop's life, and drops them when the loop's
 *       entry is removed at the end of the loop (or expires because its caller died).
 *   <li>When the member running a chunk dies, Hazelcast itself sends the task to the key's new owner. When Hazelcast
 *       gives up instead ({@code MemberLeftException}, {@code TargetNotMemberException},
 *       {@code HazelcastInstanceNotActiveException}, an operation timeout, and on a client
 *       {@code TargetDisconnectedException} or {@code HazelcastClientOfflineException}), the engine submits the
 *       chunk again, up
 *       to {@link Builder#maxAttempts} submissions in all. A body may therefore run more than once for an input:
 *       bodies should be idempotent. Every input still ends with exactly one result or one failure.
 *   <li>An input that does not serialize fails at its own index; so does a result that cannot be sent back.
 *   <li>A chunk out far longer than the loop's typical chunk (a frozen or overloaded member) is run a second time on
 *       another member, and the first answer wins ({@link Builder#stragglers}); {@link #stragglerReruns()} counts
 *       these re-runs.
 *   <li>Running Hazelcast tasks cannot be cancelled reliably, so when a loop stops early (fail-fast, timeout,
 *       cancel) its id is put in the IMap {@value MemberSide#CANCELLED}: members stop starting inputs of the loop
 *       and interrupt the threads running them.
 * </ul>
 *
 * <p>The instance may be a member, a lite member or a client. On a client, {@link Builder#poolSize} is refused
 * (configure the executor on the members), and the results are read through the client's own Java deserialization
 * filter, or parfor's default allow-list plus {@link Builder#allowedPackages} when the client has none.
 *
 * <p>Thread-safe. Closing the engine ends its running chunks with an error; it never shuts the Hazelcast instance
 * down, which belongs to the application.
 */
public final class HazelcastEngine implements Engine, EngineStats {

    private static final Logger log = LoggerFactory.getLogger(HazelcastEngine.class);

    /** The default name of the {@link IExecutorService} the engine uses. */
    public static final String DEFAULT_EXECUTOR_NAME = "parfor";

    /** The default number of times a chunk is submitted before it fails because no member could run it. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** The default of {@link Builder#stragglers}: a chunk is re-run after this many times the loop's median. */
    public static final double DEFAULT_STRAGGLER_MULTIPLE = 4.0;

    /** The default of {@link Builder#stragglers}: a chunk is never re-run before it has been out this long. */
    public static final java.time.Duration DEFAULT_STRAGGLER_MINIMUM = java.time.Duration.ofSeconds(2);

    private static final int RECENT_CHUNKS = 64;
    private static final int MIN_CHUNKS_FOR_STRAGGLERS = 8;
    private static final long WATCH_MILLIS = 20;
    private static final long PAYLOAD_TTL_SECONDS = TimeUnit.MINUTES.toSeconds(5);
    private static final long REFRESH_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long CANCEL_FLAG_TTL_SECONDS = TimeUnit.MINUTES.toSeconds(10);

    private final HazelcastInstance instance;
    private final String executorName;
    private final IExecutorService executor;
    private final IMap<String, LoopPayload> payloads;
    private final IMap<String, Boolean> cancelFlags;
    private final int maxAttempts;
    private final @Nullable Integer poolSize;
    private final Wire wire;
    private final boolean client;
    private final ConcurrentHashMap<String, LoopState> loops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> perMember = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder resubmissions = new LongAdder();
    private final LongAdder restores = new LongAdder();
    private final LongAdder speculations = new LongAdder();
    private final double stragglerMultiple;
    private final long stragglerMinimumNanos;
    private final ScheduledThreadPoolExecutor watcher;
    /** Where answers are read and handed to the loop: a few threads kept while chunks come back. */
    private final java.util.concurrent.ThreadPoolExecutor replies;

    private volatile boolean closed;

    private HazelcastEngine(Builder builder) {
        this.instance = builder.instance;
        this.executorName = builder.executorName;
        this.maxAttempts = builder.maxAttempts;
        this.stragglerMultiple = builder.stragglerMultiple;
        this.stragglerMinimumNanos = builder.stragglerMinimum.toNanos();
        this.poolSize = builder.poolSize;
        this.client = Wire.isClient(instance);
        if (poolSize != null && !client) {
            configurePool(instance, executorName, poolSize);
        }
        this.executor = instance.getExecutorService(executorName);
        this.payloads = instance.getMap(MemberSide.PAYLOADS);
        this.cancelFlags = instance.getMap(MemberSide.CANCELLED);
        this.wire = Wire.of(instance, builder.allowedPackages);
        this.watcher = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "parfor-hazelcast-watch");
            thread.setDaemon(true);
            return thread;
        });
        watcher.setRemoveOnCancelPolicy(true);
        watcher.scheduleWithFixedDelay(this::watch, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        AtomicInteger replyThreads = new AtomicInteger();
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.replies = new java.util.concurrent.ThreadPoolExecutor(
                threads, threads, 30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, "parfor-hazelcast-reply-" + replyThreads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        replies.allowCoreThreadTimeOut(true);
    }

    /**
     * Starts building an engine on a running Hazelcast instance (a member, or a client of a cluster whose members
     * have parfor and the application's classes on their class path).
     *
     * @param instance the instance; the engine never shuts it down
     * @return the builder
     */
    public static Builder builder(HazelcastInstance instance) {
        return new Builder(Objects.requireNonNull(instance, "'instance' must not be null"));
    }

    /**
     * An engine with the default options.
     *
     * @param instance the instance; the engine never shuts it down
     * @return the engine
     */
    public static HazelcastEngine create(HazelcastInstance instance) {
        return builder(instance).build();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Engine

    /**
     * Returns {@code hazelcast}.
     *
     * @return the type
     */
    @Override
    public String type() {
        return "hazelcast";
    }

    /**
     * Chunks kept in flight by default: twice, for every data member, its executor's pool size or its processor
     * count when the member publishes it ({@link ParforHazelcast#PROCESSORS_ATTRIBUTE}, set by parfor's
     * configurations) and it is smaller, so that members never wait for the round trip of their next chunk. Bodies
     * that mostly wait (on I/O) may want a higher {@code parallelism} on their loop.
     *
     * @return at least 1
     */
    @Override
    public int parallelism() {
        int pool = pool();
        long threads = 0;
        try {
            for (Member member : instance.getCluster().getMembers()) {
                if (!member.isLiteMember()) {
                    threads += Math.min(pool, processors(member, pool));
                }
            }
        } catch (RuntimeException e) {
            threads = 0; // the instance is shutting down; the loop will be refused when it submits
        }
        // Not at least the pool size: every chunk in flight costs an operation, a reply and their thread hand-offs
        // on both sides, and with a pool of 16 that made 33 chunks of 312 tiny inputs for two 2-core members, whose
        // hand-offs on a busy machine made each run's time a lottery (workload 6a: 9 to 55 ms for the same loop).
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 2, 2 * (threads > 0 ? threads : pool)));
    }

    private static int processors(Member member, int fallback) {
        String published = member.getAttribute(ParforHazelcast.PROCESSORS_ATTRIBUTE);
        if (published == null) {
            return fallback;
        }
        try {
            return Math.max(1, Integer.parseInt(published.strip()));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * Returns {@link Placement#REMOTE}: tasks run in other JVMs, so the context is sent, not shared; of the caller's
     * thread-local state only the SLF4J MDC is carried over.
     *
     * @return {@link Placement#REMOTE}
     */
    @Override
    public Placement placement() {
        return Placement.REMOTE;
    }

    /**
     * Returns this engine, whose figures are the chunks in flight.
     *
     * @return this engine
     */
    @Override
    public java.util.Optional<EngineStats> stats() {
        return java.util.Optional.of(this);
    }

    /**
     * Chunks waiting in this engine before they are sent: none, since every chunk is sent at once.
     *
     * @return 0
     */
    @Override
    public long queuedCount() {
        return 0;
    }

    /**
     * Checks that the body and context serialize and stores them once in the cluster under the loop's id.
     *
     * @throws IllegalArgumentException when the body or context does not serialize, saying how to fix it
     * @throws RejectedExecutionException when the engine is closed
     */
    @Override
    public void loopStarting(LoopInfo loop, Chunk.Task task, @Nullable Object context) {
        if (closed) {
            throw new RejectedExecutionException(
                    "the hazelcast engine is closed; loop '" + loop.name() + "' was not started");
        }
        byte[] body;
        try {
            body = Wire.write(task);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "engine '" + loop.engine() + "' needs a serializable loop body, but the body of loop '"
                            + loop.name() + "' could not be serialized (" + e
                            + "). Use a lambda of one of parfor's Body types that captures only serializable values"
                            + " (not 'this' of a non-serializable class), a static method reference, or a record"
                            + " implementing the Body interface",
                    e);
        }
        byte[] contextBytes;
        try {
            contextBytes = Wire.write(context);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "engine '" + loop.engine() + "' needs a serializable context, but the context of loop '"
                            + loop.name() + "' ("
                            + (context == null ? "null" : context.getClass().getName())
                            + ") could not be serialized (" + e + "). Make it a record or class implementing"
                            + " java.io.Serializable whose fields serialize too, or pass a List or Map of"
                            + " serializable values",
                    e);
        }
        // The bytes are not kept here: a large context would be held twice for the loop's life.
        LoopState state = new LoopState(loop, callerMdc());
        loops.put(loop.id(), state);
        try {
            payloads.set(
                    loop.id(),
                    new LoopPayload(loop.name(), body, contextBytes, state.mdc),
                    PAYLOAD_TTL_SECONDS,
                    TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            loops.remove(loop.id());
            throw new RejectedExecutionException(
                    "engine '" + loop.engine() + "' could not store loop '" + loop.name() + "' in the cluster: " + e,
                    e);
        }
    }

    /**
     * Sends the chunk to the member that owns its key and reports its outcome when it comes back.
     *
     * @throws RejectedExecutionException when the engine is closed
     */
    @Override
    public void execute(Chunk chunk) {
        if (closed) {
            throw new RejectedExecutionException("the hazelcast engine is closed");
        }
        LoopState state = loops.get(chunk.loopId());
        if (state == null) {
            // Only a loop that has already ended can get here; its outcomes are ignored anyway.
            chunk.fail(new IllegalStateException("loop '" + chunk.loopName() + "' is not running on this engine"));
            return;
        }
        List<?> inputs = chunk.inputs();
        Pending pending = new Pending(state, chunk, Wire.writeInputs(inputs, chunk.firstIndex()), inputs.size());
        state.inFlight.add(pending);
        inFlight.incrementAndGet();
        submit(pending);
    }

    /** Removes the loop's payload from the cluster; when chunks still run, raises the loop's cancellation flag. */
    @Override
    public void loopEnded(LoopInfo loop) {
        LoopState state = loops.remove(loop.id());
        if (state == null) {
            return;
        }
        state.ended = true;
        if (!state.inFlight.isEmpty()) {
            raiseCancel(state);
        }
        // Not waited for: the caller has its results, and a synchronous delete (the owner and its backup) added a
        // round trip, 0.6 to 16 ms on a busy machine, to every loop.
        try {
            payloads.deleteAsync(loop.id()).whenComplete((deleted, error) -> {
                if (error != null) {
                    notRemoved(loop, error);
                }
            });
        } catch (RuntimeException e) {
            notRemoved(loop, e);
        }
        dropCancelFlagWhenDone(state);
    }

    private static void notRemoved(LoopInfo loop, Throwable error) {
        log.warn(
                "could not remove loop '{}' ({}) from the cluster; it expires by itself",
                loop.name(),
                loop.id(),
                error);
    }

    /**
     * Chunks sent and not yet answered.
     *
     * @return the count
     */
    @Override
    public int activeCount() {
        return inFlight.get();
    }

    /**
     * Ends every chunk still in flight with a {@link CancellationException}, raises the cancellation flag of every
     * running loop and stops accepting chunks. The Hazelcast instance keeps running.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watcher.shutdownNow();
        replies.shutdown(); // answers already queued are still handed over; they find their chunks ended
        for (LoopState state : loops.values()) {
            raiseCancel(state);
            for (Pending pending : state.inFlight) {
                finish(pending, null, new CancellationException("the hazelcast engine was closed"));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Diagnostics

    /**
     * How many inputs each member has run for this engine, by member UUID: a member that replaces a dead one at
     * the same address counts apart.
     *
     * @return a snapshot, sorted by UUID
     */
    public Map<String, Long> tasksPerMember() {
        Map<String, Long> snapshot = new TreeMap<>();
        perMember.forEach((member, count) -> snapshot.put(member, count.sum()));
        return snapshot;
    }

    /**
     * How many straggling chunks were run a second time on another member (see {@link Builder#stragglers}). The
     * inputs both runs ran are counted in {@link #tasksPerMember()}.
     *
     * @return the count since the engine was built
     */
    public long stragglerReruns() {
        return speculations.sum();
    }

    /** How many times a chunk was submitted again because its member left or did not answer. */
    long resubmissions() {
        return resubmissions.sum();
    }

    /**
     * The name of the {@link IExecutorService} chunks run on.
     *
     * @return the name
     */
    public String executorName() {
        return executorName;
    }

    /**
     * How many times a chunk is submitted before it fails because no member could run it.
     *
     * @return at least 1
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The Hazelcast instance chunks are sent through.
     *
     * @return the instance
     */
    public HazelcastInstance instance() {
        return instance;
    }

    @Override
    public String toString() {
        return "HazelcastEngine[executor=" + executorName + ", cluster=" + clusterName() + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sending and receiving

    /** The task that runs a chunk on a member: a new one per send, since Hazelcast hands it its instance. */
    private static ChunkTask task(Pending pending) {
        java.time.Duration taskTimeout = pending.chunk.taskTimeout();
        return new ChunkTask(
                pending.state.info.id(),
                pending.chunk.firstIndex(),
                pending.inputs,
                taskTimeout == null ? 0 : taskTimeout.toNanos());
    }

    private void submit(Pending pending) {
        // Before anything else: the watcher must not see a fresh attempt with the previous attempt's time.
        pending.sentAt = System.nanoTime();
        pending.attempts++;
        pending.sentGeneration = pending.state.payloadGeneration;
        try {
            pending.key = routingKey(pending);
            pending.lastOwner = owner(pending.key);
            pending.outstanding = true;
            send(task(pending), pending.key, pending);
        } catch (Throwable e) { // Hazelcast refused the task (closed, no member): on the watcher nothing else sees it
            pending.onFailure(e);
        }
    }

    /**
     * Submits a task and has its answer handled on the engine's reply threads. Not through Hazelcast's callback
     * variant: that runs each callback on the JVM's common pool when it has more than one thread, and otherwise (on a
     * machine with 2 processors or fewer) on a new thread per answer, so every chunk cost a thread start on the
     * caller, and a loop of 10,000 single-input chunks 10,000 of them.
     */
    private void send(ChunkTask task, String key, ExecutionCallback<ChunkReply> callback) {
        java.util.concurrent.Future<ChunkReply> future = executor.submitToKeyOwner(task, key);
        if (!(future instanceof java.util.concurrent.CompletionStage<?> stage)) {
            // Not a Hazelcast future this engine knows: wait for it on a reply thread.
            replies.execute(() -> {
                ChunkReply reply;
                try {
                    reply = future.get();
                } catch (Throwable e) { // cancelled, interrupted, or failed: the failure path unwraps and decides
                    callback.onFailure(e);
                    return;
                }
                callback.onResponse(reply);
            });
            return;
        }
        stage.whenCompleteAsync(
                (reply, error) -> {
                    if (error == null) {
                        callback.onResponse((ChunkReply) reply);
                    } else {
                        callback.onFailure(error); // the failure path unwraps CompletionException
                    }
                },
                replies);
    }

    /**
     * The key a submission is routed by. The first attempt of a chunk goes to a key owned by the data member that has
     * been sent the fewest of the loop's inputs so far; a resubmission, or a retry of inputs that failed, goes to a
     * key owned by another member than the one that ran (or failed to run) the previous attempt, when the cluster
     * has another.
     */
    private String routingKey(Pending pending) {
        String base = pending.state.info.id() + "#" + pending.chunk.firstIndex() + "#" + pending.chunk.attempt();
        @Nullable
        UUID avoid = pending.attempts > 1
                ? pending.lastOwner
                : pending.chunk.attempt() > 1 ? pending.state.lastMember.get(pending.chunk.firstIndex()) : null;
        if (avoid != null) {
            return keyAvoiding(base + "#" + pending.attempts, avoid);
        }
        return pending.attempts == 1 ? balancedKey(pending, base) : base;
    }

    /**
     * A key starting with {@code base} owned by the data member with the fewest of the loop's inputs. Left to the
     * hash of the key alone, a loop's chunks fell on the members as coins do: of 8 chunks on 2 members, 6 or more went
     * to one member in about 3 loops of 10 (all 8 in some), and that member's share set the loop's time.
     */
    private String balancedKey(Pending pending, String base) {
        List<UUID> members = dataMembers();
        if (members.size() < 2) {
            return base;
        }
        LoopState state = pending.state;
        UUID target;
        // Ties go to a member at random: loops of one chunk do not all land on the first member, and inputs whose cost
        // follows a period (every other input slow) do not all land on one member, as strict turns would have it.
        int from = java.util.concurrent.ThreadLocalRandom.current().nextInt(members.size());
        synchronized (state.sent) {
            target = members.get(from);
            long fewest = Long.MAX_VALUE;
            for (int i = 0; i < members.size(); i++) {
                UUID member = members.get((from + i) % members.size());
                long sent = state.sent.getOrDefault(member, 0L);
                if (sent < fewest) {
                    fewest = sent;
                    target = member;
                }
            }
            // Counted before the key is found, so that concurrent chunks of the loop pick different members.
            state.sent.merge(target, (long) pending.size, Long::sum);
        }
        // Each salted key lands on a member picked by its hash: a few tries find one of the target's partitions.
        return saltedKey(base + "#m", 16 * members.size(), target::equals, base);
    }

    /** The UUIDs of the cluster's data members (not lite members), in the cluster's order. */
    private List<UUID> dataMembers() {
        try {
            List<UUID> members = new java.util.ArrayList<>();
            for (Member member : instance.getCluster().getMembers()) {
                if (!member.isLiteMember()) {
                    members.add(member.getUuid());
                }
            }
            return members;
        } catch (RuntimeException e) {
            return List.of(); // shutting down: the submission will fail and be handled there
        }
    }

    /**
     * The first of {@code tries} keys {@code prefix + n} whose owner {@code accepts}, or, when none does (the partition
     * table is changing, or one member holds every partition), {@code fallback}: the hash decides.
     */
    private String saltedKey(String prefix, int tries, Predicate<@Nullable UUID> accepts, String fallback) {
        for (int salt = 0; salt < tries; salt++) {
            String key = prefix + salt;
            if (accepts.test(owner(key))) {
                return key;
            }
        }
        return fallback;
    }

    /** A key starting with {@code base} whose partition another member than {@code avoid} owns, when there is one. */
    private String keyAvoiding(String base, @Nullable UUID avoid) {
        return saltedKey(base + "#", 64, owner -> avoid == null || owner == null || !owner.equals(avoid), base);
    }

    private @Nullable UUID owner(String key) {
        try {
            Member owner = instance.getPartitionService().getPartition(key).getOwner();
            return owner == null ? null : owner.getUuid();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Runs a straggling chunk a second time, on another member than the one running it; whichever answer comes
     * first completes the chunk. A failure of the second run is ignored: the first run still decides.
     */
    private void speculate(Pending pending) {
        pending.speculated = true;
        ChunkTask task = task(pending);
        String key = keyAvoiding(pending.key + "#rerun", pending.lastOwner);
        log.debug(
                "chunk #{} of loop '{}' runs far longer than the loop's typical chunk; running it again on another"
                        + " member",
                pending.chunk.firstIndex(),
                pending.chunk.loopName());
        speculations.increment();
        try {
            send(task, key, new ExecutionCallback<ChunkReply>() {
                @Override
                public void onResponse(ChunkReply reply) {
                    answered(pending, reply, true);
                }

                @Override
                public void onFailure(Throwable error) {
                    log.debug("the second run of chunk #{} failed", pending.chunk.firstIndex(), error);
                }
            });
        } catch (RuntimeException e) {
            log.debug("the second run of chunk #{} could not be submitted", pending.chunk.firstIndex(), e);
        }
    }

    private void answered(Pending pending, ChunkReply reply) {
        answered(pending, reply, false);
    }

    private void answered(Pending pending, ChunkReply reply, boolean rerun) {
        ChunkOutcome outcome;
        try {
            outcome = wire.readOutcome(
                    reply.outcome(),
                    (offset, error) -> new IllegalStateException(
                            "the result of input #" + (pending.chunk.firstIndex() + offset) + " of loop '"
                                    + pending.chunk.loopName() + "' could not be deserialized: "
                                    + error.getMessage(),
                            error));
        } catch (Throwable e) {
            // A result's class may fail to load or initialize: an Error on a reply thread, where nothing else sees it.
            finish(pending, null, refused("the results", pending, e));
            return;
        }
        perMember.computeIfAbsent(reply.member(), m -> new LongAdder()).add(outcome.ran());
        if (pending.finished.get()) {
            return; // the other run of this chunk answered first; its work is counted above
        }
        rememberFailedInputsMember(pending, outcome, reply.member());
        if (!rerun && !pending.speculated) {
            pending.state.recordChunkNanos(System.nanoTime() - pending.sentAt);
        }
        finish(pending, outcome, null);
    }

    /** So that a retry of an input that failed on a member is sent to another one. */
    private static void rememberFailedInputsMember(Pending pending, ChunkOutcome outcome, String member) {
        UUID uuid;
        try {
            uuid = UUID.fromString(member);
        } catch (IllegalArgumentException e) {
            return;
        }
        for (int i = 0; i < outcome.ran(); i++) {
            if (outcome.error(i) != null) {
                pending.state.lastMember.put(pending.chunk.firstIndex() + i, uuid);
            }
        }
    }

    private void failed(Pending pending, Throwable error) {
        if (retryable(error) && pending.attempts < maxAttempts && !closed && !pending.chunk.isCancelled()) {
            long delay = Math.min(1_000, 50L << Math.min(pending.attempts - 1, 5));
            log.debug(
                    "chunk #{} of loop '{}' failed on attempt {} ({}); submitting it again",
                    pending.chunk.firstIndex(),
                    pending.chunk.loopName(),
                    pending.attempts,
                    error.toString());
            boolean restore = unwrap(error) instanceof PayloadMissingException;
            try {
                watcher.schedule(
                        () -> {
                            if (restore) {
                                restore(pending);
                            }
                            submit(pending);
                        },
                        delay,
                        TimeUnit.MILLISECONDS);
                resubmissions.increment();
                return;
            } catch (RejectedExecutionException e) {
                // closed meanwhile: fall through and fail the chunk
            }
        }
        Throwable cause = unwrap(error);
        if (cause instanceof InvalidClassException || cause instanceof ClassNotFoundException) {
            cause = refused("the loop's body, context or inputs", pending, cause);
        } else if (retryable(error)) {
            cause = new IllegalStateException(
                    "no member could run chunk #" + pending.chunk.firstIndex() + " of loop '"
                            + pending.chunk.loopName() + "' in " + pending.attempts + " attempts (maxAttempts "
                            + maxAttempts + "); last error: " + error,
                    error);
        }
        finish(pending, null, cause);
    }

    private void finish(Pending pending, @Nullable ChunkOutcome outcome, @Nullable Throwable error) {
        if (!pending.finished.compareAndSet(false, true)) {
            return;
        }
        LoopState state = pending.state;
        state.inFlight.remove(pending);
        inFlight.decrementAndGet();
        if (outcome != null) {
            pending.chunk.complete(outcome);
        } else {
            pending.chunk.fail(Objects.requireNonNull(error));
        }
        dropCancelFlagWhenDone(state);
    }

    /** Once an ended loop has nothing left in flight, its cancellation flag has done its job. */
    private void dropCancelFlagWhenDone(LoopState state) {
        CompletionStage<Void> raised;
        synchronized (state) {
            if (!state.ended || !state.cancelRaised || !state.inFlight.isEmpty() || state.flagDropped) {
                return;
            }
            state.flagDropped = true;
            raised = state.flagRaised;
        }
        // The delete goes out once the flag's write has been answered: two asynchronous calls from different threads
        // may otherwise reach the map in either order, and a flag written after its delete stays for its whole TTL.
        Runnable delete = () -> {
            try {
                cancelFlags.deleteAsync(state.info.id());
            } catch (RuntimeException e) {
                log.debug("could not remove the cancellation flag of loop {}; it expires by itself", state.info.id());
            }
        };
        if (raised == null) {
            delete.run();
        } else {
            raised.whenComplete((done, error) -> delete.run());
        }
    }

    private static IllegalStateException refused(String what, Pending pending, Throwable error) {
        return new IllegalStateException(
                what + " of chunk #" + pending.chunk.firstIndex() + " of loop '" + pending.chunk.loopName()
                        + "' could not be deserialized: " + error.getMessage(),
                error);
    }

    /** Whether the chunk did not run because of the cluster, not the body: another member may run it. */
    static boolean retryable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PayloadMissingException
                    || t instanceof MemberLeftException
                    || t instanceof TargetNotMemberException
                    || t instanceof HazelcastInstanceNotActiveException
                    || t instanceof TargetDisconnectedException
                    || t instanceof HazelcastClientOfflineException
                    || t instanceof OperationTimeoutException
                    || t instanceof TimeoutException
                    || t instanceof RetryableException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof ExecutionException || t instanceof CompletionException)
                && !(t instanceof MemberLeftException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Watching loops

    /** Raises the flag of loops that stopped early and keeps running loops' payloads from expiring. */
    private void watch() {
        long now = System.nanoTime();
        for (LoopState state : loops.values()) {
            try {
                if (!state.cancelRaised) {
                    for (Pending pending : state.inFlight) {
                        if (pending.chunk.isCancelled()) {
                            raiseCancel(state);
                            break;
                        }
                    }
                }
                if (stragglerMultiple > 0) {
                    findStragglers(state, now);
                }
                if (now - state.refreshedAt > REFRESH_NANOS) {
                    state.refreshedAt = now;
                    refresh(state);
                }
            } catch (Throwable e) { // an exception escaping a fixed-delay task would end the watching for good
                log.debug("watching loop {} failed", state.info.id(), e);
            }
        }
    }

    /** Re-runs, once, each chunk in flight for far longer than the loop's typical chunk. */
    private void findStragglers(LoopState state, long now) {
        long typical = state.typicalChunkNanos();
        if (typical < 0) {
            return; // too few chunks have finished to know what is typical
        }
        long threshold = Math.max(stragglerMinimumNanos, (long) (typical * stragglerMultiple));
        for (Pending pending : state.inFlight) {
            if (!pending.speculated
                    && !pending.finished.get()
                    && !pending.chunk.isCancelled()
                    && pending.outstanding
                    && now - pending.sentAt > threshold) {
                speculate(pending);
            }
        }
    }

    private void refresh(LoopState state) {
        if (!payloads.setTtl(state.info.id(), PAYLOAD_TTL_SECONDS, TimeUnit.SECONDS)) {
            // Lost (for example with every member that held it); store it again so later chunks can run.
            for (Pending pending : state.inFlight) {
                pending.sentGeneration = state.payloadGeneration;
                restore(pending);
                break;
            }
        }
    }

    /**
     * Stores a running loop's payload again, from one of its chunks, after it went missing from the cluster: once per
     * loss, not once per chunk that missed it. A chunk sent before the last restore only needs resubmitting.
     */
    private void restore(Pending pending) {
        LoopState state = pending.state;
        // Runs on the watcher thread only, so the generation check and the store cannot interleave.
        if (state.ended || state.payloadGeneration != pending.sentGeneration) {
            return;
        }
        try {
            LoopPayload payload = new LoopPayload(
                    state.info.name(),
                    Wire.write(pending.chunk.task()),
                    Wire.write(pending.chunk.context()),
                    state.mdc);
            payloads.set(state.info.id(), payload, PAYLOAD_TTL_SECONDS, TimeUnit.SECONDS);
            state.payloadGeneration++;
            restores.increment();
        } catch (Throwable e) { // serializing the body runs its code
            log.debug("could not store loop {} again", state.info.id(), e);
        }
    }

    /** How many times a loop's payload was stored again after it went missing from the cluster. */
    long restores() {
        return restores.sum();
    }

    /** The MDC of the thread starting the loop, for the logs of its chunks on the members. */
    private static Map<String, String> callerMdc() {
        Map<String, String> mdc = new java.util.HashMap<>();
        try {
            Map<String, String> current = MDC.getCopyOfContextMap();
            if (current != null) {
                mdc.putAll(current);
            }
        } catch (RuntimeException e) {
            log.debug("could not read the caller's MDC", e);
        }
        return mdc;
    }

    private void raiseCancel(LoopState state) {
        synchronized (state) {
            if (state.cancelRaised) {
                return;
            }
            state.cancelRaised = true;
            try {
                state.flagRaised =
                        cancelFlags.setAsync(state.info.id(), Boolean.TRUE, CANCEL_FLAG_TTL_SECONDS, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                log.debug("could not raise the cancellation flag of loop {}", state.info.id(), e);
            }
        }
        // Raised by the watcher just as the loop's last chunk was answered: nobody else would drop it.
        dropCancelFlagWhenDone(state);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Configuration

    private int pool() {
        if (poolSize != null) {
            return poolSize;
        }
        try {
            return instance.getConfig().findExecutorConfig(executorName).getPoolSize();
        } catch (RuntimeException e) {
            return ExecutorConfig.DEFAULT_POOL_SIZE;
        }
    }

    private static void configurePool(HazelcastInstance instance, String name, int size) {
        ExecutorConfig existing = instance.getConfig().findExecutorConfig(name);
        if (existing != null && existing.getName().equals(name)) {
            if (existing.getPoolSize() != size) {
                log.warn(
                        "executor '{}' is already configured with pool size {}; the requested pool size {} is"
                                + " not applied (configure it in the Hazelcast configuration instead)",
                        name,
                        existing.getPoolSize(),
                        size);
            }
            return;
        }
        try {
            instance.getConfig().addExecutorConfig(new ExecutorConfig(name, size));
        } catch (RuntimeException e) {
            log.warn("could not set the pool size of executor '{}' to {}: {}", name, size, e.toString());
        }
    }

    private String clusterName() {
        try {
            if (instance instanceof HazelcastClientProxy proxy) {
                return proxy.getClientConfig().getClusterName();
            }
            return instance.getConfig().getClusterName();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // State

    /** One loop running on this engine. */
    private static final class LoopState {
        final LoopInfo info;
        final Set<Pending> inFlight = ConcurrentHashMap.newKeySet();
        /** The member each failed input last ran on, by index, so that its retry goes elsewhere. */
        final ConcurrentHashMap<Long, UUID> lastMember = new ConcurrentHashMap<>();
        /** Guarded by itself: how many of the loop's inputs were sent to each member on first submission. */
        final Map<UUID, Long> sent = new java.util.HashMap<>();
        /** How many times the payload was restored; written on the watcher thread only. */
        volatile int payloadGeneration;
        // Guarded by itself: the round-trip times of the loop's last chunks, a ring.
        private final long[] recent = new long[RECENT_CHUNKS];
        private int recorded;

        void recordChunkNanos(long nanos) {
            synchronized (recent) {
                recent[recorded++ % recent.length] = nanos;
            }
        }

        /** The median round trip of the loop's last chunks, or -1 before enough have finished. */
        long typicalChunkNanos() {
            long[] copy;
            synchronized (recent) {
                if (recorded < MIN_CHUNKS_FOR_STRAGGLERS) {
                    return -1;
                }
                copy = java.util.Arrays.copyOf(recent, Math.min(recorded, recent.length));
            }
            java.util.Arrays.sort(copy);
            return copy[copy.length / 2];
        }

        volatile boolean ended;
        volatile boolean cancelRaised;
        volatile boolean flagDropped;
        /** The write of the cancellation flag, once raised; guarded by this state. */
        @Nullable
        CompletionStage<Void> flagRaised;

        volatile long refreshedAt = System.nanoTime();

        final Map<String, String> mdc;

        LoopState(LoopInfo info, Map<String, String> mdc) {
            this.info = info;
            this.mdc = mdc;
        }
    }

    /** One chunk sent and not yet answered; also the callback of its submission. */
    private final class Pending implements ExecutionCallback<ChunkReply> {
        final LoopState state;
        final Chunk chunk;
        final byte[] inputs;
        /** How many inputs the chunk has, counted once when it was sent: the chunk's list is the user's. */
        final int size;

        final AtomicBoolean finished = new AtomicBoolean();
        volatile int attempts;
        volatile String key = "";
        volatile @Nullable UUID lastOwner;
        volatile int sentGeneration;
        volatile long sentAt;
        /** Whether an attempt is with a member now (not failed, not waiting to be submitted again). */
        volatile boolean outstanding;

        volatile boolean speculated;

        Pending(LoopState state, Chunk chunk, byte[] inputs, int size) {
            this.state = state;
            this.chunk = chunk;
            this.inputs = inputs;
            this.size = size;
        }

        @Override
        public void onResponse(ChunkReply reply) {
            answered(this, reply);
        }

        @Override
        public void onFailure(Throwable error) {
            outstanding = false;
            failed(this, error);
        }
    }

    /** Builds a {@link HazelcastEngine}. Not thread-safe. */
    public static final class Builder {
        private final HazelcastInstance instance;
        private String executorName = DEFAULT_EXECUTOR_NAME;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private @Nullable Integer poolSize;
        private List<String> allowedPackages = List.of();
        private double stragglerMultiple = DEFAULT_STRAGGLER_MULTIPLE;
        private java.time.Duration stragglerMinimum = DEFAULT_STRAGGLER_MINIMUM;

        private Builder(HazelcastInstance instance) {
            this.instance = instance;
        }

        /**
         * The {@link IExecutorService} to run chunks on.
         *
         * @param executorName its name; default {@value HazelcastEngine#DEFAULT_EXECUTOR_NAME}
         * @return this builder
         * @throws IllegalArgumentException when blank
         */
        public Builder executorName(String executorName) {
            Objects.requireNonNull(executorName, "'executorName' must not be null");
            if (executorName.isBlank()) {
                throw new IllegalArgumentException("'executorName' must not be blank but was '" + executorName + "'");
            }
            this.executorName = executorName;
            return this;
        }

        /**
         * How many threads each member gives the executor. Applied to the cluster's configuration when the engine is
         * built, unless the executor is already configured; by default the Hazelcast configuration decides (16
         * threads unless configured). Members only: a client cannot change the cluster's configuration.
         *
         * @param poolSize at least 1
         * @return this builder
         * @throws IllegalArgumentException when below 1
         * @throws IllegalStateException when the instance is a client
         */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1) {
                throw new IllegalArgumentException("'poolSize' must be greater than 0 but was " + poolSize);
            }
            if (Wire.isClient(instance)) {
                throw new IllegalStateException("'poolSize' applies to members only but was set to " + poolSize
                        + " on a Hazelcast client, which cannot change the cluster's configuration; configure the"
                        + " pool size of the executor service '" + executorName + "' in the members' Hazelcast"
                        + " configuration (executor-service." + executorName + ".pool-size) instead");
            }
            this.poolSize = poolSize;
            return this;
        }

        /**
         * The packages (each with its sub-packages) whose classes a client may deserialize in results and errors,
         * beside parfor's default list ({@link ParforHazelcast#serializationFilter}). Used only on a client whose
         * configuration has no Java deserialization filter of its own; a member applies its configured filter.
         *
         * @param allowedPackages package names such as {@code com.example.orders}
         * @return this builder
         * @throws IllegalArgumentException for a blank name
         */
        public Builder allowedPackages(Collection<String> allowedPackages) {
            Objects.requireNonNull(allowedPackages, "'allowedPackages' must not be null");
            ParforHazelcast.serializationFilter(allowedPackages); // checks every name
            this.allowedPackages = List.copyOf(allowedPackages);
            return this;
        }

        /**
         * How many times a chunk is submitted before it fails because members left or did not answer.
         *
         * @param maxAttempts at least 1; default {@value HazelcastEngine#DEFAULT_MAX_ATTEMPTS}
         * @return this builder
         * @throws IllegalArgumentException when below 1
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("'maxAttempts' must be greater than 0 but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * When a chunk counts as a straggler: once it has been out {@code multiple} times as long as the loop's
         * median chunk (measured over its last chunks, from submission to answer) and at least {@code minimum}, it
         * is run a second time on another member and the first answer wins, as Spark's speculative execution does.
         * This gets a loop past a frozen or overloaded member long before Hazelcast declares it dead. A body may
         * therefore run twice for an input; results are still delivered exactly once. Default
         * {@value HazelcastEngine#DEFAULT_STRAGGLER_MULTIPLE} times the median and at least 2 seconds.
         *
         * @param multiple how many times the median chunk; at least 1.5
         * @param minimum the shortest time before a re-run; positive
         * @return this builder
         * @throws IllegalArgumentException when {@code multiple} is below 1.5 or {@code minimum} is not positive
         */
        public Builder stragglers(double multiple, java.time.Duration minimum) {
            Objects.requireNonNull(minimum, "'minimum' must not be null");
            if (!(multiple >= 1.5) || Double.isInfinite(multiple)) {
                throw new IllegalArgumentException("'multiple' must be a finite number of at least 1.5 but was "
                        + multiple + "; use noStragglerReruns() to turn re-runs off");
            }
            if (minimum.isNegative() || minimum.isZero()) {
                throw new IllegalArgumentException("'minimum' must be positive but was " + minimum
                        + "; pass the shortest time a chunk is out before it is re-run, such as Duration.ofSeconds(2)");
            }
            this.stragglerMultiple = multiple;
            this.stragglerMinimum = minimum;
            return this;
        }

        /**
         * Never runs a straggling chunk a second time: each chunk waits for its member, or for Hazelcast to declare
         * the member dead.
         *
         * @return this builder
         */
        public Builder noStragglerReruns() {
            this.stragglerMultiple = 0;
            return this;
        }

        /**
         * Builds the engine.
         *
         * @return the engine
         */
        public HazelcastEngine build() {
            return new HazelcastEngine(this);
        }
    }
}
