package dev.parfor.autoconfigure;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopOutcome;
import dev.parfor.Progress;
import dev.parfor.ProgressListener;
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
    static ProgressListener progress(Level level) {
        ProgressListener log = ProgressListener.logging(level);
        return progress -> {
            if (!progress.finished()) {
                log.onProgress(progress);
            }
        };
    }

    /** Logs one line to {@code dev.parfor.summary} when a loop finishes. */
    static final class Summary implements LoopListener {

        private static final Logger log = LoggerFactory.getLogger("dev.parfor.summary");

        private final Level level;

        Summary(Level level) {
            this.level = level;
        }

        @Override
        public void loopFinished(LoopInfo loop, LoopOutcome outcome, @Nullable Throwable error, Progress progress) {
            if (!log.isEnabledForLevel(level)) {
                return;
            }
            if (error == null) {
                log.atLevel(level).log("loop finished {}: {}", outcome, progress);
            } else {
                log.atLevel(level).log("loop finished {}: {}; {}", outcome, progress, error.toString());
            }
        }

        @Override
        public String toString() {
            return "parfor summary log at " + level;
        }
    }
}
