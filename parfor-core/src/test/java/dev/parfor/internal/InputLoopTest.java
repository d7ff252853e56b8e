package dev.parfor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.spi.Chunk;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The loop every chunk runner shares, alone, with a runner that records which hooks it is asked. */
class InputLoopTest {

    /** Fails an input named "boom"; writes "input@index/context" otherwise. */
    private static final Chunk.Task BODY = (index, input, context) -> {
        if ("boom".equals(input)) {
            throw new IllegalStateException("input " + index);
        }
        return input + "@" + index + "/" + context;
    };

    private static final class Recording extends InputLoop {
        final List<String> calls = new ArrayList<>();
        int stopBefore = -1;
        int endAt = -1;
        boolean stopWhenUnreadable = true;
        int refuseStart = -1;
        int refuseEnter = -1;
        int timeOutAt = -1;

        Recording(@Nullable Object[] values, int base, @Nullable Throwable @Nullable [] errors, boolean guarded) {
            super(BODY, 10, "ctx", values, base, errors, guarded);
        }

        @Override
        protected boolean stopsBefore(int offset) {
            return offset == stopBefore;
        }

        @Override
        protected boolean unreadable(int offset, Throwable error) {
            calls.add("unreadable " + offset);
            return stopWhenUnreadable;
        }

        @Override
        protected boolean starts(int offset) {
            calls.add("start " + offset);
            return offset != refuseStart;
        }

        @Override
        protected void enter(int offset) {
            calls.add("enter " + offset);
            if (offset == refuseEnter) {
                throw new IllegalStateException("no permit for " + offset);
            }
        }

        @Override
        protected @Nullable Throwable exit(int offset, @Nullable Throwable failure) {
            calls.add("exit " + offset + (failure == null ? "" : " failed"));
            return offset == timeOutAt ? new TimeoutException("late " + offset) : failure;
        }

        @Override
        protected boolean endsAt(int offset, @Nullable Throwable failure) {
            calls.add("endsAt " + offset + (failure == null ? "" : " failed"));
            return offset == endAt;
        }
    }

    @Test
    void shouldRunAPlainChunkInOrderIntoItsSlotsAskingNoHookWhenNothingFails() {
        Object[] results = new Object[5];
        Recording runner = new Recording(results, 2, null, false);

        int ran = runner.run(List.of("a", "b", "c"), 3);

        assertThat(ran).isEqualTo(3);
        assertThat(results).containsExactly(null, null, "a@10/ctx", "b@11/ctx", "c@12/ctx");
        assertThat(runner.errors()).isNull();
        assertThat(runner.calls).isEmpty();
    }

    @Test
    void shouldKeepAPlainFailureAtItsOffsetAndAskWhetherTheChunkEndsThere() {
        Object[] values = new Object[4];
        Recording goesOn = new Recording(values, 0, null, false);
        Recording ends = new Recording(new Object[4], 0, null, false);
        ends.endAt = 1;
        List<String> inputs = List.of("a", "boom", "c", "d");

        int wentOn = goesOn.run(inputs, 4);
        int ended = ends.run(inputs, 4);

        assertThat(wentOn).isEqualTo(4);
        assertThat(values).containsExactly("a@10/ctx", null, "c@12/ctx", "d@13/ctx");
        assertThat(goesOn.errors()).hasSize(4);
        assertThat(goesOn.errors()[1]).hasMessage("input 11");
        assertThat(goesOn.errors()[2]).isNull();
        assertThat(goesOn.calls).containsExactly("endsAt 1 failed");
        assertThat(ended).isEqualTo(2);
        assertThat(ends.errors()[1]).hasMessage("input 11");
    }

    @Test
    void shouldStopBeforeTheInputTheRunnerStopsAt() {
        Recording runner = new Recording(new Object[3], 0, null, false);
        runner.stopBefore = 2;

        assertThat(runner.run(List.of("a", "b", "c"), 3)).isEqualTo(2);
    }

    @Test
    void shouldRunAGuardedInputBetweenEnterAndExitAndAskAfterEveryOne() {
        Object[] values = new Object[3];
        Recording runner = new Recording(values, 0, null, true);
        runner.refuseEnter = 1;
        runner.timeOutAt = 2;

        int ran = runner.run(List.of("a", "b", "c"), 3);

        assertThat(ran).isEqualTo(3);
        assertThat(runner.calls)
                .containsExactly(
                        "start 0",
                        "enter 0",
                        "exit 0",
                        "endsAt 0",
                        "start 1",
                        "enter 1",
                        "exit 1 failed",
                        "endsAt 1 failed",
                        "start 2",
                        "enter 2",
                        "exit 2",
                        "endsAt 2 failed");
        assertThat(values[1]).isNull();
        assertThat(runner.errors()[1]).hasMessage("no permit for 1");
        assertThat(runner.errors()[2]).isInstanceOf(TimeoutException.class);
    }

    @Test
    void shouldStopBeforeAGuardedInputThatMayNotStartOnceRead() {
        Recording runner = new Recording(new Object[3], 0, null, true);
        runner.refuseStart = 1;

        int ran = runner.run(List.of("a", "b", "c"), 3);

        assertThat(ran).isEqualTo(1);
        assertThat(runner.calls).containsExactly("start 0", "enter 0", "exit 0", "endsAt 0", "start 1");
    }

    @Test
    void shouldWriteErrorsIntoAnArraySharedFromTheStart() {
        Throwable[] shared = new Throwable[2];
        Recording runner = new Recording(new Object[2], 0, shared, true);

        runner.run(List.of("boom", "b"), 2);

        assertThat(runner.errors()).isSameAs(shared);
        assertThat(shared[0]).hasMessage("input 10");
        assertThat(shared[1]).isNull();
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
        Recording stopping = new Recording(new Object[3], 0, null, false);
        Recording counting = new Recording(new Object[3], 0, null, false);
        counting.stopWhenUnreadable = false;

        int stopped = stopping.run(broken, 3);
        int counted = counting.run(broken, 3);

        assertThat(stopped).isEqualTo(1);
        assertThat(stopping.errors()).isNull();
        assertThat(stopping.calls).containsExactly("unreadable 1");
        assertThat(counted).isEqualTo(3);
        assertThat(counting.errors()[1]).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(counting.calls).containsExactly("unreadable 1", "endsAt 1 failed");
    }
}
