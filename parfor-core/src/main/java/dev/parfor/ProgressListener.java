package dev.parfor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Receives a loop's {@link Progress}: at most once per progress interval while the loop runs, and once when it
 * ends (with {@link Progress#finished()} set). Called on the thread that waits for the loop; keep it quick.
 */
@FunctionalInterface
public interface ProgressListener {

    /**
     * Receives a snapshot.
     *
     * @param progress the loop's progress now
     */
    void onProgress(Progress progress);

    /**
     * A listener that logs each snapshot as one line at the given level, to the logger {@code dev.parfor.progress}.
     *
     * @param level the level of the lines
     * @return the listener
     */
    static ProgressListener logging(Level level) {
        Checks.notNull(level, "level");
        Logger log = LoggerFactory.getLogger("dev.parfor.progress");
        return progress -> log.atLevel(level).log("{}", progress);
    }
}
