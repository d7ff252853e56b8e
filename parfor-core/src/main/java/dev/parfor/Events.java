package dev.parfor;

import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a loop's listeners what happens, fenced: a listener that throws anything, an {@link Error} included, is
 * logged and otherwise ignored, so it can neither hang the loop nor keep it from ending. Never called under a loop's
 * lock.
 */
final class Events {

    private static final Logger log = LoggerFactory.getLogger(Events.class);

    private final LoopInfo info;
    private final List<LoopListener> listeners;
    private final @Nullable Consumer<? super Progress> progress;

    Events(LoopInfo info, List<LoopListener> listeners, @Nullable Consumer<? super Progress> progress) {
        this.info = info;
        this.listeners = listeners;
        this.progress = progress;
    }

    void started() {
        for (int i = 0, n = listeners.size(); i < n; i++) {
            LoopListener listener = listeners.get(i);
            try {
                listener.loopStarted(info);
            } catch (Throwable e) {
                warn(listener, "loopStarted", e);
            }
        }
    }

    void tasks(Outcome outcome, int count, long nanos) {
        if (count <= 0) {
            return;
        }
        for (int i = 0, n = listeners.size(); i < n; i++) {
            LoopListener listener = listeners.get(i);
            try {
                listener.tasksEnded(info, outcome, count, nanos);
            } catch (Throwable e) {
                warn(listener, "tasksEnded", e);
            }
        }
    }

    void finished(Outcome outcome, @Nullable Throwable error, Progress last) {
        for (int i = 0, n = listeners.size(); i < n; i++) {
            LoopListener listener = listeners.get(i);
            try {
                listener.loopFinished(info, outcome, error, last);
            } catch (Throwable e) {
                warn(listener, "loopFinished", e);
            }
        }
        progress(last);
    }

    boolean hasProgress() {
        return progress != null;
    }

    void progress(Progress snapshot) {
        if (progress == null) {
            return;
        }
        try {
            progress.accept(snapshot);
        } catch (Throwable e) {
            log.warn("the progress listener of loop '{}' failed: {}", info.name(), Texts.describe(e), e);
        }
    }

    private void warn(Object listener, String event, Throwable e) {
        log.warn(
                "LoopListener {} failed in {} for loop '{}': {}",
                listener.getClass().getName(),
                event,
                info.name(),
                Texts.describe(e),
                e);
    }
}
