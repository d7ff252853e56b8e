package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's own resubmission, for the failures Hazelcast does not retry by itself: a real member whose executor
 * answers some submissions with a cluster failure instead of running them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResubmissionTest {

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(1);
    }

    @AfterAll
    static void stopCluster() {
        cluster.closeLeavingNoMember();
    }

    @Test
    void shouldResubmitChunksWhoseMemberLeftAndDeliverEveryResultOnce() {
        // Every first submission of a chunk fails, as if its member had left.
        Flaky flaky = new Flaky(2, () -> new MemberLeftException("member left"));
        HazelcastEngine engine =
                HazelcastEngine.builder(flaky.instance()).maxAttempts(2).build();
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            List<Integer> results = parfor.loop("flaky").chunkSize(10).map(range(200), x -> x + 1);

            assertThat(results).isEqualTo(range(200).stream().map(x -> x + 1).toList());
            assertThat(engine.resubmissions()).isEqualTo(20);
            assertThat(engine.tasksPerMember().values()).containsExactly(200L);
        }
    }

    @Test
    void shouldResubmitOnTargetNotMemberAndInactiveInstances() {
        AtomicInteger calls = new AtomicInteger();
        Flaky flaky = new Flaky(
                3,
                () -> calls.incrementAndGet() % 2 == 0
                        ? new TargetNotMemberException("not a member")
                        : new HazelcastInstanceNotActiveException("shutting down"));
        HazelcastEngine engine =
                HazelcastEngine.builder(flaky.instance()).maxAttempts(3).build();
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            assertThat(parfor.loop("flaky-kinds").chunkSize(50).map(range(100), x -> x * 2))
                    .isEqualTo(range(100).stream().map(x -> x * 2).toList());
            assertThat(engine.resubmissions()).isEqualTo(4);
        }
    }

    @Test
    void shouldFailAChunkNoMemberCouldRunAfterMaxAttempts() {
        Flaky flaky = new Flaky(Integer.MAX_VALUE, () -> new MemberLeftException("member left"));
        HazelcastEngine engine =
                HazelcastEngine.builder(flaky.instance()).maxAttempts(3).build();
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            ParallelForException error = catchThrowableOfType(
                    ParallelForException.class,
                    () -> parfor.loop("lost").chunkSize(5).map(range(5), x -> x));

            assertThat(error.getCause())
                    .hasMessageContaining("no member could run chunk #0 of loop 'lost' in 3 attempts (maxAttempts 3)")
                    .hasCauseInstanceOf(MemberLeftException.class);
            assertThat(flaky.submissions.get()).isEqualTo(3);
        }
    }

    @Test
    void shouldStoreALostPayloadAgainAndRunTheLoop() {
        HazelcastInstance real = cluster.first();
        AtomicInteger stores = new AtomicInteger();
        // The first store of the loop's payload is lost, as if the members holding it had died.
        HazelcastInstance losing = proxy(HazelcastInstance.class, real, (method, args) -> {
            if (method.getName().equals("getMap") && MemberSide.PAYLOADS.equals(args[0])) {
                IMap<Object, Object> map = real.getMap(MemberSide.PAYLOADS);
                return proxy(IMap.class, map, (m, a) -> {
                    if (m.getName().equals("set") && a.length == 4 && stores.incrementAndGet() == 1) {
                        return null;
                    }
                    return NOT_HANDLED;
                });
            }
            return NOT_HANDLED;
        });
        HazelcastEngine engine = HazelcastEngine.builder(losing).build();
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            assertThat(parfor.loop("lost-payload")
                            .chunkSize(25)
                            .map(range(100), List.of(7), (x, ctx) -> x + ctx.get(0)))
                    .isEqualTo(range(100).stream().map(x -> x + 7).toList());
            assertThat(stores.get()).isGreaterThanOrEqualTo(2);
            assertThat(engine.resubmissions()).isPositive();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() ->
                            assertThat(real.getMap(MemberSide.PAYLOADS).size()).isZero());
        }
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** The cluster's member, whose executor fails each chunk's submissions before attempt {@code attemptsBeforeSuccess}. */
    private static final class Flaky {
        final AtomicInteger submissions = new AtomicInteger();
        private final int attemptsBeforeSuccess;
        private final Supplier<Exception> failure;
        private final Map<String, AtomicInteger> perChunk = new ConcurrentHashMap<>();

        Flaky(int attemptsBeforeSuccess, Supplier<Exception> failure) {
            this.attemptsBeforeSuccess = attemptsBeforeSuccess;
            this.failure = failure;
        }

        HazelcastInstance instance() {
            HazelcastInstance real = cluster.first();
            return proxy(HazelcastInstance.class, real, (method, args) -> {
                if (method.getName().equals("getExecutorService")) {
                    IExecutorService executor = real.getExecutorService((String) args[0]);
                    return proxy(IExecutorService.class, executor, (m, a) -> submit(executor, m.getName(), a));
                }
                return NOT_HANDLED;
            });
        }

        @SuppressWarnings("unchecked")
        private Object submit(IExecutorService executor, String method, Object[] args) {
            if (!method.equals("submitToKeyOwner") || args.length != 2 || !(args[0] instanceof Callable<?>)) {
                return NOT_HANDLED;
            }
            submissions.incrementAndGet();
            // By chunk, not by routing key: a resubmission is routed by another key.
            int attempt = perChunk.computeIfAbsent(args[0].toString(), k -> new AtomicInteger())
                    .incrementAndGet();
            if (attempt < attemptsBeforeSuccess) {
                return CompletableFuture.failedFuture(failure.get());
            }
            return executor.submitToKeyOwner((Callable<Object>) args[0], args[1]);
        }
    }

    private static final Object NOT_HANDLED = new Object();

    private interface Interceptor {
        Object call(Method method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, T target, Interceptor override) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object[] arguments = args == null ? new Object[0] : args;
            Object handled = override.call(method, arguments);
            if (handled != NOT_HANDLED) {
                return handled;
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
