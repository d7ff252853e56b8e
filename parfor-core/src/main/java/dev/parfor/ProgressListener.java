package dev.parfor;

/**
 * Receives a loop's {@link Progress}: at most once per progress interval while the loop runs, and once when it
 * ends (with {@link Progress#finished()} set). Called on the thread that waits for the loop; keep it quick. A
 * snapshot's {@code toString()} is a one-line report, so logging one is {@code progress -> log.info("{}", progress)}.
 */
@FunctionalInterface
public interface ProgressListener {

    /**
     * Receives a snapshot.
     *
     * @param progress the loop's progress now
     */
    void onProgress(Progress progress);
}
