package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** How a loop stops and ends, alone: the first stop wins, halting is raised, and the deadline goes with it. */
class LoopStateTest {

    private final List<TaskFailure> failures = new ArrayList<>();
    private int halts;
    private final ReentrantLock lock = new ReentrantLock();
    private final LoopState state = new LoopState(lock, lock.newCondition(), () -> failures, () -> halts++);

    private static ParallelForException error(String message, List<TaskFailure> failures) {
        return new ParallelForException(message, "test", Outcome.FAILURE, null, failures);
    }

    @Test
    void shouldKeepTheOutcomeAndErrorOfTheFirstStopOnly() {
        failures.add(new TaskFailure(3, "d", new IllegalStateException("bad"), 1));

        boolean first = state.stopOnce(Outcome.FAILURE, seen -> error("first", seen));
        boolean second = state.stopOnce(Outcome.TIMEOUT, seen -> error("second", seen));

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(state.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(state.locked(state::error)).hasMessage("first");
        assertThat(state.locked(state::error).failures()).hasSize(1);
        assertThat(state.locked(state::stopped)).isTrue();
        assertThat(state.halting).isTrue();
        assertThat(state.ended()).isFalse();
        assertThat(halts).isEqualTo(1);
    }

    @Test
    void shouldEndOnceAndKeepHowItStopped() {
        state.stopOnce(Outcome.CANCELLED, seen -> null);

        boolean first = state.end();
        boolean second = state.end();

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(state.ended()).isTrue();
        assertThat(state.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(halts).isEqualTo(2);
        // A loop that ended cannot stop any more.
        assertThat(state.stopOnce(Outcome.TIMEOUT, seen -> error("late", seen))).isFalse();
        assertThat(state.locked(state::error)).isNull();
    }

    @Test
    void shouldHaltAndCountAsStoppedWhenItEndsWithoutAStop() {
        assertThat(state.end()).isTrue();

        assertThat(state.halting).isTrue();
        assertThat(state.locked(state::stopped)).isTrue();
        assertThat(halts).isEqualTo(1);
    }

    @Test
    void shouldCancelTheDeadlineWhenTheLoopStops() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        try {
            ScheduledFuture<?> deadline = timer.schedule(() -> {}, 1, TimeUnit.HOURS);
            state.deadline(deadline);

            state.stopOnce(Outcome.CANCELLED, seen -> null);

            assertThat(deadline.isCancelled()).isTrue();
        } finally {
            timer.shutdownNow();
        }
    }
}
