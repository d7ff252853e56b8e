package dev.parfor.sample;

/** Checks of request parameters, so that a bad value gets a clear answer before any work starts. */
final class Params {

    private Params() {}

    /**
     * Returns {@code value} when it lies in {@code [min, max]}.
     *
     * @param example a good value, shown in the error message
     * @throws IllegalArgumentException naming the parameter, the value, the accepted range and an example
     */
    static int between(int value, int min, int max, String name, int example) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("'" + name + "' must be between " + min + " and " + max + " but was "
                    + value + "; pass for example " + name + "=" + example);
        }
        return value;
    }
}
