package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reading a lazy source off the loop's lock: batches, the end, a failure, and a read stopped while it blocks. */
class LazyInputsTest {

    @Test
    void shouldReadInBatchesAndSeeTheEnd() {
        Inputs.Lazy lazy = new Inputs.Lazy(List.of(1, 2, 3).iterator(), -1);

        Inputs.Lazy.Batch first = lazy.read(2);
        Inputs.Lazy.Batch second = lazy.read(2);

        assertThat(first.inputs()).containsExactly(1, 2);
        assertThat(first.end()).isFalse();
        assertThat(second.inputs()).containsExactly(3);
        assertThat(second.end()).isTrue();
        assertThat(second.failure()).isNull();
    }

    @Test
    void shouldKeepWhatWasReadBeforeTheSourceThrew() {
        Error broken = new Error("broken source");
        Iterator<Integer> source = new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (next == 2) {
                    throw broken;
                }
                return next++;
            }
        };

        Inputs.Lazy.Batch batch = new Inputs.Lazy(source, -1).read(5);

        assertThat(batch.inputs()).containsExactly(0, 1);
        assertThat(batch.failure()).isSameAs(broken);
    }

    @Test
    void shouldInterruptABlockedReadWhenStoppedAndRefuseLaterReads() throws Exception {
        LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        Iterator<Integer> blocking = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
        Inputs.Lazy lazy = new Inputs.Lazy(blocking, -1);
        CompletableFuture<Boolean> interruptLeft = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            lazy.read(1);
            interruptLeft.complete(Thread.currentThread().isInterrupted());
        });
        reader.start();
        await().until(() -> reader.getState() == Thread.State.WAITING);

        lazy.stop();

        assertThat(interruptLeft.get(10, TimeUnit.SECONDS))
                .as("the stop's interrupt is cleared")
                .isFalse();
        queue.add(1);
        assertThat(lazy.read(1).inputs()).isEmpty();
    }
}
