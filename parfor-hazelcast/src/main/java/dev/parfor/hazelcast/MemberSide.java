package dev.parfor.hazelcast;

import com.hazelcast.cluster.Address;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.parfor.spi.Chunk;
import dev.parfor.spi.ChunkOutcome;
import java.io.NotSerializableException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * parfor's state on one Hazelcast member: the body and context of each running loop, read from the cluster and
 * deserialized once, and the loop's cancellation flag. Lives in the member's user context, so it goes away with the
 * member; a loop's entry goes away when the loop's payload is removed from the cluster.
 */
final class MemberSide {

    /** The IMap holding each running loop's {@link LoopPayload}, by loop id. */
    static final String PAYLOADS = "parfor.loops";

    /** The IMap holding the ids of loops that stopped early (fail-fast, timeout, cancel), with a time to live. */
    static final String CANCELLED = "parfor.cancelled";

    private static final String KEY = MemberSide.class.getName();
    private static final long POLL_MILLIS = 20;
    private static final long PAYLOAD_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(10);

    /** The body and context of one loop, as this member deserialized them. */
    private record Loaded(Chunk.Task task, @Nullable Object context, Map<String, String> mdc) {}

    /** One loop on this member. */
    private static final class Entry {
        final String id;
        volatile @Nullable Loaded loaded;
        volatile boolean cancelled;
        volatile long lastUsed = System.nanoTime();
        // Guarded by this: the threads running the loop's chunks here, interrupted when the loop stops.
        private final Set<Thread> runners = new HashSet<>();

        Entry(String id) {
            this.id = id;
        }

        synchronized void enter(Thread thread) {
            runners.add(thread);
        }

        void leave(Thread thread) {
            synchronized (this) {
                runners.remove(thread);
            }
            if (cancelled) {
                // The interrupt was parfor's, aimed at this loop; do not leak it to the pool's next task.
                Thread.interrupted();
            }
        }

        synchronized boolean running() {
            return !runners.isEmpty();
        }

        synchronized boolean idle(long now) {
            return runners.isEmpty() && now - lastUsed > IDLE_NANOS;
        }

        void cancel() {
            cancelled = true;
            synchronized (this) {
                for (Thread runner : runners) {
                    runner.interrupt();
                }
            }
        }
    }

    private final Wire wire;
    private final IMap<String, LoopPayload> payloads;
    private final IMap<String, Boolean> cancelFlags;
    /** This member's UUID: unlike host:port, never shared with a member that replaces it. */
    private final String address;

    private final ConcurrentHashMap<String, Entry> loops = new ConcurrentHashMap<>();
    private final AtomicLong contextsRead = new AtomicLong();
    private final AtomicLong tasksRun = new AtomicLong();
    private final HazelcastInstance instance;
    private final ScheduledThreadPoolExecutor watcher;
    private long nextPayloadCheck = System.nanoTime();

    private MemberSide(HazelcastInstance instance) {
        this.instance = instance;
        this.watcher = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "parfor-member-watch");
            thread.setDaemon(true);
            return thread;
        });
        this.wire = Wire.of(instance, List.of());
        this.payloads = instance.getMap(PAYLOADS);
        this.cancelFlags = instance.getMap(CANCELLED);
        this.address = instance.getCluster().getLocalMember().getUuid().toString();
    }

    /** This member's parfor state, created on first use. */
    static MemberSide of(HazelcastInstance instance) {
        ConcurrentMap<String, Object> userContext = instance.getUserContext();
        if (userContext.get(KEY) instanceof MemberSide side) {
            return side;
        }
        synchronized (userContext) {
            if (userContext.get(KEY) instanceof MemberSide side) {
                return side;
            }
            MemberSide created = new MemberSide(instance);
            created.listen();
            userContext.put(KEY, created);
            return created;
        }
    }

    /** The member's state when it has run parfor tasks, for tests and diagnostics. */
    static @Nullable MemberSide peek(HazelcastInstance instance) {
        return instance.getUserContext().get(KEY) instanceof MemberSide side ? side : null;
    }

    static String address(Address address) {
        return address.getHost() + ":" + address.getPort();
    }

    /**
     * Starts the member's watcher: it stops the tasks of loops whose cancellation flag is raised, and drops the
     * cached body and context of loops whose payload has left the cluster. Polling, not entry listeners: a poll
     * cannot miss an event that happened before it started, and costs one small call per running loop.
     */
    private void listen() {
        watcher.scheduleWithFixedDelay(this::watch, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void watch() {
        if (!instance.getLifecycleService().isRunning()) {
            loops.clear();
            watcher.shutdown();
            return;
        }
        long now = System.nanoTime();
        boolean checkPayloads = now - nextPayloadCheck >= 0;
        if (checkPayloads) {
            nextPayloadCheck = now + PAYLOAD_CHECK_NANOS;
        }
        for (Entry entry : loops.values()) {
            try {
                if (!entry.cancelled && entry.running() && cancelFlags.containsKey(entry.id)) {
                    entry.cancel();
                }
                if (checkPayloads && !entry.running() && !payloads.containsKey(entry.id)) {
                    loops.remove(entry.id, entry);
                } else if (checkPayloads && entry.idle(now)) {
                    // Never keep a loop cached forever, whatever the cluster says.
                    loops.remove(entry.id, entry);
                }
            } catch (RuntimeException e) {
                // The instance is shutting down or the cluster is briefly unreachable: try again next time.
            }
        }
    }

    /** Runs one chunk of a loop here and returns what goes back to the caller. */
    ChunkReply run(String loopId, long firstIndex, byte[] inputBytes, long taskTimeoutNanos) throws Exception {
        Entry entry = loops.computeIfAbsent(loopId, Entry::new);
        entry.lastUsed = System.nanoTime();
        Loaded loaded = load(entry);
        List<@Nullable Object> inputs = wire.readInputs(inputBytes);
        Chunk.Task body = loaded.task();
        Chunk.Task guarded = (index, input, context) -> {
            if (input instanceof Wire.Unsendable unsendable) {
                throw new NotSerializableException(unsendable.message());
            }
            if (input instanceof Wire.Refused refused) {
                throw new IllegalStateException(
                        "input #" + index + " could not be deserialized: "
                                + refused.error().getMessage(),
                        refused.error());
            }
            return body.apply(index, input, context);
        };
        Thread thread = Thread.currentThread();
        ChunkOutcome outcome;
        Map<String, String> previousMdc = MDC.getCopyOfContextMap();
        if (!loaded.mdc().isEmpty()) {
            MDC.setContextMap(loaded.mdc()); // the caller's, so logs of the chunk join up with the request
        }
        entry.enter(thread);
        try {
            outcome = ChunkOutcome.execute(
                    guarded,
                    firstIndex,
                    inputs,
                    loaded.context(),
                    () -> entry.cancelled,
                    taskTimeoutNanos > 0 ? java.time.Duration.ofNanos(taskTimeoutNanos) : null);
        } finally {
            entry.leave(thread);
            if (previousMdc == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(previousMdc);
            }
        }
        tasksRun.addAndGet(outcome.ran());
        return new ChunkReply(address, wire.writeOutcome(outcome, firstIndex));
    }

    private Loaded load(Entry entry) throws Exception {
        Loaded loaded = entry.loaded;
        if (loaded != null) {
            return loaded;
        }
        synchronized (entry) {
            loaded = entry.loaded;
            if (loaded != null) {
                return loaded;
            }
            LoopPayload payload = payloads.get(entry.id);
            if (payload == null) {
                loops.remove(entry.id, entry);
                throw new PayloadMissingException(entry.id);
            }
            Object task = wire.read(payload.task());
            if (!(task instanceof Chunk.Task body)) {
                throw new IllegalStateException("the body of loop '" + payload.loopName() + "' is not a parfor task");
            }
            Object context = wire.read(payload.context());
            contextsRead.incrementAndGet();
            loaded = new Loaded(body, context, payload.mdc() == null ? Map.of() : Map.copyOf(payload.mdc()));
            entry.loaded = loaded;
            return loaded;
        }
    }

    /** How many times this member deserialized a loop's context. */
    long contextsRead() {
        return contextsRead.get();
    }

    /** How many inputs this member has run. */
    long tasksRun() {
        return tasksRun.get();
    }

    /** How many loops this member holds in its cache. */
    int cachedLoops() {
        return loops.size();
    }
}
