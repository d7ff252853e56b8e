package dev.parfor;

/**
 * A built-in engine that starts threads of its own names them after the name it is registered under: {@code
 * parfor-<name>-<n>}, so thread dumps, profilers and logs show which engine a thread belongs to.
 */
interface NamedThreads {

    /**
     * Names the threads started from now on.
     *
     * @param prefix the prefix, followed by a number
     */
    void nameThreads(String prefix);
}
