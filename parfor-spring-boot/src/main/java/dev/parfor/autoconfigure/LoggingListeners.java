package dev.parfor.autoconfigure;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.Outcome;
import dev.parfor.Progress;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.springframework.boot.logging.LogLevel;

/** The progress lines of running loops and the summary line of each finished loop. */
final class LoggingListeners {

    private LoggingListeners() {}

    /** The slf4j level of a Boot level; null for OFF. */
    static @Nullable Level level(LogLevel level) {
        return switch (level) {
            case TRACE -> Level.TRACE;
            case DEBUG -> Level.DEBUG;
            case INFO -> Level.INFO;
            case WARN -> Level.WARN;
            case ERROR, FATAL -> Level.ERROR;
            case OFF -> null;
        };
    }

    /** Logs running loops to {@code dev.parfor.progress}; the final report is left to the summary line. */
    static Consumer<Progress> progress(Level level) {
        Logger log = LoggerFactory.getLogger("dev.parfor.progress");
        return progress -> {
            if (!progress.finished()) {
                log.atLevel(level).log("{}", progress);
            }
        };
    }

    /**
     * Logs one line to {@code dev.parfor.summary} when a loop finishes: at the configured level (DEBUG by default),
     * and at INFO (or the configured level, if higher) for a loop that ran at least the progress interval, so that a
     * service running a short loop per request does not log a line per request.
     */
    static final class Summary implements LoopListener {

        private static final Logger log = LoggerFactory.getLogger("dev.parfor.summary");

        private final Level level;
        private final Level longLevel;
        private final Duration interval;

        Summary(Level level, Duration interval) {
            this.level = level;
            this.longLevel = level.toInt() >= Level.INFO.toInt() ? level : Level.INFO;
            this.interval = interval;
        }

        @Override
        public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
            Level chosen = progress.elapsed().compareTo(interval) >= 0 ? longLevel : level;
            if (!log.isEnabledForLevel(chosen)) {
                return;
            }
            if (error == null) {
                log.atLevel(chosen).log("loop finished {}: {}", outcome, progress);
            } else {
                log.atLevel(chosen).log("loop finished {}: {}; {}", outcome, progress, error.toString());
            }
        }

        @Override
        public String toString() {
            return "parfor summary log at " + level + ", " + longLevel + " after " + interval;
        }
    }
}
