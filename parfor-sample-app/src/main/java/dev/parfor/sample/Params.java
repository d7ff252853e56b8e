package dev.parfor.sample;

/** Checks of request parameters, so that a bad value gets a clear answer before any work starts. */
final class Params {

    private Params() {}

    /**
     * Returns {@code value} when it lies in {@code [min, max]}.
     *
     * @throws IllegalArgumentException naming the parameter, the value and the accepted range
     */
    static int between(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("'" + name + "' must be between " + min + " and " + max + " but was "
                    + value + "; pass for example " + name + "=" + Math.max(min, Math.min(max, 100)));
        }
        return value;
    }
}
