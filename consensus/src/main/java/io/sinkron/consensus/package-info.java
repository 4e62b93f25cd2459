/** Pure, deterministic consensus cores: input in, effects out; no threads, clocks or I/O. */
package io.sinkron.consensus;
