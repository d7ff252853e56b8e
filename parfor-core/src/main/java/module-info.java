/**
 * parfor: embarrassingly parallel for loops. {@code dev.parfor} is what a user names in a loop; {@code dev.parfor.spi}
 * is what an engine author implements. Nothing else is exported.
 */
module dev.parfor {
    requires transitive org.slf4j;
    requires static transitive org.jspecify;

    exports dev.parfor;
    exports dev.parfor.spi;
}
