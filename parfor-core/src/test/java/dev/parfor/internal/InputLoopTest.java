package dev.parfor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The loop shared by local guarded chunks and remote workers, alone, with a step that records what it is asked. */
class InputLoopTest {

    /** Fails the inputs it is told to, stops before one, ends after one. */
    private static final class Recording implements InputLoop.Step {
        final List<String> calls = new ArrayList<>();
        int stopBefore = -1;
        int endAfter = -1;
        int refuseStart = -1;
        boolean stopWhenUnreadable = true;
        final List<Integer> failing = new ArrayList<>();

        @Override
        public boolean stopsBefore(int offset) {
            return offset == stopBefore;
        }

        @Override
        public boolean unreadable(int offset, Throwable error) {
            calls.add("unreadable " + offset);
            return stopWhenUnreadable;
        }

        @Override
        public boolean starts(int offset) {
            calls.add("start " + offset);
            return offset != refuseStart;
        }

        @Override
        public @Nullable Throwable run(int offset, @Nullable Object input) {
            calls.add("run " + input);
            return failing.contains(offset) ? new IllegalStateException("input " + offset) : null;
        }

        @Override
        public boolean endsAfter(int offset, @Nullable Throwable failure) {
            return offset == endAfter;
        }
    }

    @Test
    void shouldRunEveryInputInOrderWithNoErrorsWhenNoneFails() {
        Recording step = new Recording();

        InputLoop.Ran ran = InputLoop.run(List.of("a", "b", "c"), 3, step);

        assertThat(ran.ran()).isEqualTo(3);
        assertThat(ran.errors()).isNull();
        assertThat(step.calls).containsExactly("start 0", "run a", "start 1", "run b", "start 2", "run c");
    }

    @Test
    void shouldStopBeforeAnInputThatMayNotStartOnceRead() {
        Recording step = new Recording();
        step.refuseStart = 1;

        InputLoop.Ran ran = InputLoop.run(List.of("a", "b"), 2, step);

        assertThat(ran.ran()).isEqualTo(1);
        assertThat(step.calls).containsExactly("start 0", "run a", "start 1");
    }

    @Test
    void shouldKeepEachErrorAtItsOffsetAndStopWhereTheStepSays() {
        Recording step = new Recording();
        step.failing.add(1);
        step.stopBefore = 3;

        InputLoop.Ran ran = InputLoop.run(List.of("a", "b", "c", "d"), 4, step);

        assertThat(ran.ran()).isEqualTo(3);
        assertThat(ran.errors()).isNotNull();
        assertThat(ran.errors()[0]).isNull();
        assertThat(ran.errors()[1]).hasMessage("input 1");
        assertThat(step.calls).containsExactly("start 0", "run a", "start 1", "run b", "start 2", "run c");
    }

    @Test
    void shouldEndAfterTheInputTheStepEndsAt() {
        Recording step = new Recording();
        step.endAfter = 0;

        InputLoop.Ran ran = InputLoop.run(List.of("a", "b"), 2, step);

        assertThat(ran.ran()).isEqualTo(1);
        assertThat(step.calls).containsExactly("start 0", "run a");
    }

    @Test
    void shouldStopBeforeOrFailAnInputItCannotRead() {
        List<String> broken = new AbstractList<>() {
            @Override
            public String get(int index) {
                if (index == 1) {
                    throw new IndexOutOfBoundsException("changed under the loop");
                }
                return "x" + index;
            }

            @Override
            public int size() {
                return 3;
            }
        };
        Recording stopping = new Recording();
        Recording counting = new Recording();
        counting.stopWhenUnreadable = false;

        InputLoop.Ran stopped = InputLoop.run(broken, 3, stopping);
        InputLoop.Ran counted = InputLoop.run(broken, 3, counting);

        assertThat(stopped.ran()).isEqualTo(1);
        assertThat(stopping.calls).containsExactly("start 0", "run x0", "unreadable 1");
        assertThat(counted.ran()).isEqualTo(3);
        assertThat(counted.errors()[1]).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(counting.calls).containsExactly("start 0", "run x0", "unreadable 1", "start 2", "run x2");
    }
}
