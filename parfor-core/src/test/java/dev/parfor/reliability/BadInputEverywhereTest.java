package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.parfor.Body;
import dev.parfor.Engines;
import dev.parfor.ErrorPolicy;
import dev.parfor.ParallelFor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every public method of the API with a null or a bad value. Each must be refused before any task runs, with the
 * exception the style guide names (null: NullPointerException, bad value: IllegalArgumentException, an option set
 * twice: IllegalStateException) and a message that names the parameter, shows the bad value and says what to do.
 * Complements {@code contract.BadInputTest}, which covers the most common ones one by one.
 */
class BadInputEverywhereTest {

    private static final Figures FIGURES = new Figures("bad-input");

    private final AtomicInteger ran = new AtomicInteger();
    private final ParallelFor parfor = ParallelFor.builder()
            .engine("fork-join", Engines.forkJoin(2))
            .engine("virtual", Engines.virtualThreads(4))
            .build();
    private final ExecutorService pool = Executors.newFixedThreadPool(1);
    private final List<String> wrong = new ArrayList<>();
    private int checked;

    @AfterEach
    void close() {
        parfor.close();
        pool.shutdownNow();
    }

    private final Body<Integer, Integer> body = x -> {
        ran.incrementAndGet();
        return x;
    };

    private void refuses(String call, ThrowingCallable callable, Class<? extends Throwable> type, String... parts) {
        checked++;
        Throwable thrown = catchThrowable(callable);
        if (thrown == null) {
            wrong.add(call + ": accepted");
            return;
        }
        if (!type.isInstance(thrown)) {
            wrong.add(call + ": " + thrown + " instead of " + type.getSimpleName());
            return;
        }
        String message = String.valueOf(thrown.getMessage());
        for (String part : parts) {
            if (!message.contains(part)) {
                wrong.add(call + ": message \"" + message + "\" lacks \"" + part + "\"");
                return;
            }
        }
    }

    private void refusesNull(String call, ThrowingCallable callable, String parameter) {
        refuses(call, callable, NullPointerException.class, "'" + parameter + "' must not be null");
    }

    private void refusesNotPositive(String call, ThrowingCallable callable, String parameter, int value) {
        refuses(
                call,
                callable,
                IllegalArgumentException.class,
                "'" + parameter + "'",
                "must be greater than 0",
                "but was " + value);
    }

    private void report() {
        FIGURES.add("calls checked", checked);
        FIGURES.add("unclear or missing refusals", wrong.size());
        FIGURES.write();
        assertThat(wrong).as("calls refused wrongly or not at all").isEmpty();
        assertThat(ran).as("tasks run despite bad input").hasValue(0);
    }

    @Test
    void shouldRefuseEveryBadArgumentOfParallelForAndItsBuilder() {
        List<Integer> one = List.of(1);
        refusesNull("create(null)", () -> ParallelFor.create(null), "engine");
        refusesNull(
                "builder().engine(null, e)", () -> ParallelFor.builder().engine(null, Engines.sequential()), "name");
        refusesNull("builder().engine(n, null)", () -> ParallelFor.builder().engine("a", null), "engine");
        refuses(
                "builder().engine(blank, e)",
                () -> ParallelFor.builder().engine(" ", Engines.sequential()),
                IllegalArgumentException.class,
                "'name' must not be blank but was ' '");
        refusesNull(
                "builder().engine(n, e, null)",
                () -> ParallelFor.builder().engine("a", Engines.sequential(), null),
                "defaults");
        refuses(
                "builder().engine twice",
                () -> ParallelFor.builder().engine("a", Engines.sequential()).engine("a", Engines.sequential()),
                IllegalStateException.class,
                "'a'");
        refusesNull("builder().loop(null, d)", () -> ParallelFor.builder().loop(null, loop -> {}), "name");
        refusesNull("builder().loop(l, null)", () -> ParallelFor.builder().loop("l", null), "defaults");
        refusesNull(
                "builder().engine(n, e, null)",
                () -> ParallelFor.builder().engine("cpu", Engines.sequential(), null),
                "defaults");
        refusesNull("builder().listener(null)", () -> ParallelFor.builder().listener(null), "listener");
        refusesNull(
                "builder().contextPropagator(null)", () -> ParallelFor.builder().contextPropagator(null), "propagator");
        refuses(
                "builder().build() without engines",
                () -> ParallelFor.builder().build(),
                IllegalStateException.class,
                "no engine registered");

        refusesNull("loop(null)", () -> parfor.loop(null), "name");
        refusesNull("map(null, body)", () -> parfor.map((List<Integer>) null, body), "inputs");
        refusesNull("map(inputs, null)", () -> parfor.map(one, (Body<Integer, Integer>) null), "body");
        refusesNull("map(inputs, ctx, null)", () -> parfor.map(one, "ctx", null), "body");
        refusesNull(
                "forEach(null, action)",
                () -> parfor.loop().forEach((List<Integer>) null, x -> ran.incrementAndGet()),
                "inputs");
        refusesNull("forEach(inputs, null)", () -> parfor.loop().forEach(one, (Body.Action<Integer>) null), "body");
        refusesNull("product(as, null, body)", () -> parfor.loop().product(one, null, (a, b) -> a), "bs");
        refusesNull("product(as, bs, null)", () -> parfor.loop().product(one, one, null), "body");
        refusesNull("mapChunks(null, 2, body)", () -> parfor.loop().mapChunks(null, 2, c -> c), "inputs");
        refusesNotPositive("mapChunks(inputs, -2, body)", () -> parfor.loop().mapChunks(one, -2, c -> c), "chunks", -2);
        refusesNull("mapChunks(inputs, 2, null)", () -> parfor.loop().mapChunks(one, 2, null), "body");
        refusesNull("invoke(null, m, ...)", () -> parfor.loop().invoke(null, "m", List.of(), Map.of()), "target");
        refusesNull("invoke(t, null, ...)", () -> parfor.loop().invoke(this, null, List.of(), Map.of()), "method");
        refusesNull("invoke(t, m, null, ctx)", () -> parfor.loop().invoke("abc", "length", null, Map.of()), "inputs");
        refusesNull(
                "invoke(t, m, inputs, null)", () -> parfor.loop().invoke("abc", "length", List.of(), null), "context");
        refuses(
                "loop.engine(unknown)",
                () -> parfor.loop("l").engine("gpu"),
                IllegalArgumentException.class,
                "unknown engine 'gpu'",
                "known engines: fork-join, virtual",
                "Register it with ParallelFor.builder().engine(\"gpu\"");
        refusesNull("shutdown(null)", () -> parfor.shutdown(null), "grace");
        refuses(
                "shutdown(negative)",
                () -> parfor.shutdown(Duration.ofSeconds(-2)),
                IllegalArgumentException.class,
                "'grace'",
                "PT-2S",
                "must not be negative");
        assertThat(parfor.isShutdown()).as("shut down by a refused call").isFalse();
        report();
    }

    @Test
    void shouldRefuseEveryBadLoopOption() {
        List<Integer> one = List.of(1);
        refusesNull("loop.engine(null)", () -> parfor.loop("l").engine(null), "engine");
        refuses(
                "loop.engine(unknown)",
                () -> parfor.loop("l").engine("gpu"),
                IllegalArgumentException.class,
                "unknown engine 'gpu'",
                "known engines: fork-join, virtual");
        refusesNotPositive("loop.parallelism(0)", () -> parfor.loop("l").parallelism(0), "parallelism", 0);
        refusesNotPositive("loop.chunkSize(-7)", () -> parfor.loop("l").chunkSize(-7), "chunkSize", -7);
        refusesNull("loop.onError(null)", () -> parfor.loop("l").onError(null), "policy");
        refuses(
                "loop.retries(-1, zero)",
                () -> parfor.loop("l").retries(-1, Duration.ZERO),
                IllegalArgumentException.class,
                "'retries' must be 0 or greater but was -1");
        refusesNull("loop.retries(1, null)", () -> parfor.loop("l").retries(1, null), "backoff");
        refusesNull("loop.retryOn(null)", () -> parfor.loop("l").retryOn(null), "retryable");
        refusesNull("loop.timeout(null)", () -> parfor.loop("l").timeout(null), "timeout");
        refuses(
                "loop.timeout(zero)",
                () -> parfor.loop("l").timeout(Duration.ZERO),
                IllegalArgumentException.class,
                "'timeout' must be a positive duration but was PT0S",
                "Duration.ofSeconds(30)");
        refuses(
                "loop.taskTimeout(negative)",
                () -> parfor.loop("l").taskTimeout(Duration.ofMillis(-1)),
                IllegalArgumentException.class,
                "'taskTimeout' must be a positive duration but was PT-0.001S");
        refusesNull("loop.progress(null, d)", () -> parfor.loop("l").progress(null, Duration.ofSeconds(1)), "listener");
        refusesNull("loop.progress(l, null)", () -> parfor.loop("l").progress(p -> {}, null), "interval");
        refuses(
                "loop.progress(l, negative)",
                () -> parfor.loop("l").progress(p -> {}, Duration.ofSeconds(-1)),
                IllegalArgumentException.class,
                "'interval' must be a positive duration but was PT-1S");
        String twice = "; set each option once per loop";
        refuses(
                "loop.engine twice",
                () -> parfor.loop("l").engine("virtual").engine("fork-join"),
                IllegalStateException.class,
                "option 'engine' is already set to virtual" + twice);
        refuses(
                "loop.onError twice",
                () -> parfor.loop("l").onError(ErrorPolicy.COLLECT).onError(ErrorPolicy.FAIL_FAST),
                IllegalStateException.class,
                "option 'onError' is already set to COLLECT" + twice);
        refuses(
                "loop.retries twice",
                () -> parfor.loop("l").retries(1, Duration.ZERO).retries(2, Duration.ZERO),
                IllegalStateException.class,
                "option 'retries' is already set to 1" + twice);
        refuses(
                "loop.timeout twice",
                () -> parfor.loop("l").timeout(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(2)),
                IllegalStateException.class,
                "option 'timeout' is already set to PT1S" + twice);
        refuses(
                "loop.taskTimeout twice",
                () -> parfor.loop("l").taskTimeout(Duration.ofSeconds(1)).taskTimeout(Duration.ofSeconds(2)),
                IllegalStateException.class,
                "option 'taskTimeout' is already set to PT1S" + twice);
        refuses(
                "loop.chunkSize twice",
                () -> parfor.loop("l").chunkSize(4).chunkSize(5),
                IllegalStateException.class,
                "option 'chunkSize' is already set to 4" + twice);
        refusesNull("loop.run(null, body)", () -> parfor.loop("l").run((List<Integer>) null, body), "inputs");
        refusesNull("loop.run(inputs, null)", () -> parfor.loop("l").run(one, (Body<Integer, Integer>) null), "body");
        refusesNull(
                "loop.stream(null iterable, body)",
                () -> parfor.loop("l").stream((Iterable<Integer>) null, body),
                "inputs");
        refusesNull(
                "loop.streamAsCompleted(inputs, null)",
                () -> parfor.loop("l").streamAsCompleted(one, (Body<Integer, Integer>) null),
                "body");
        refusesNull(
                "loop.forEach(null iterable, action)",
                () -> parfor.loop("l").forEach((Iterable<Integer>) null, x -> ran.incrementAndGet()),
                "inputs");
        report();
    }

    @Test
    void shouldRefuseEveryBadDefaultEngineAndRecordValue() {
        refusesNull("defaults engine(null)", () -> ParallelFor.builder().loop("l", d -> d.engine(null)), "engine");
        refuses(
                "defaults engine(blank)",
                () -> ParallelFor.builder().loop("l", d -> d.engine("")),
                IllegalArgumentException.class,
                "'engine' must not be blank but was ''");
        refusesNotPositive(
                "defaults parallelism(-1)",
                () -> ParallelFor.builder().loop("l", d -> d.parallelism(-1)),
                "parallelism",
                -1);
        refusesNotPositive(
                "engine defaults chunkSize(0)",
                () -> ParallelFor.builder().engine("cpu", Engines.sequential(), d -> d.chunkSize(0)),
                "chunkSize",
                0);
        refusesNull("defaults onError(null)", () -> ParallelFor.builder().loop("l", d -> d.onError(null)), "policy");
        refuses(
                "defaults retries(-4, zero)",
                () -> ParallelFor.builder().loop("l", d -> d.retries(-4, Duration.ZERO)),
                IllegalArgumentException.class,
                "'retries' must be 0 or greater but was -4");
        refuses(
                "defaults timeout(zero)",
                () -> ParallelFor.builder().loop("l", d -> d.timeout(Duration.ZERO)),
                IllegalArgumentException.class,
                "'timeout' must be a positive duration but was PT0S");
        refusesNull(
                "defaults taskTimeout(null)",
                () -> ParallelFor.builder().loop("l", d -> d.taskTimeout(null)),
                "taskTimeout");
        refuses(
                "defaults parallelism twice",
                () -> ParallelFor.builder().loop("l", d -> d.parallelism(2).parallelism(3)),
                IllegalStateException.class,
                "option 'parallelism' is already set to 2");

        refusesNotPositive("Engines.forkJoin(-1)", () -> Engines.forkJoin(-1), "parallelism", -1);
        refusesNotPositive("Engines.virtualThreads(0)", () -> Engines.virtualThreads(0), "maxConcurrency", 0);
        refusesNull("Engines.executor(null, 2)", () -> Engines.executor(null, 2), "executor");
        refusesNotPositive("Engines.executor(pool, 0)", () -> Engines.executor(pool, 0), "parallelism", 0);

        report();
    }
}
