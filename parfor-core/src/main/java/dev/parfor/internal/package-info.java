/**
 * What the scheduler and the engine SPI share and no user names: not exported by the module, not part of parfor's API.
 */
@NullMarked
package dev.parfor.internal;

import org.jspecify.annotations.NullMarked;
