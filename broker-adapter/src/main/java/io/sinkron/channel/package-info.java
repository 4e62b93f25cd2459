/**
 * Channels between nodes: one SPI ({@link io.sinkron.channel.Channel}), one implementation per transport in its own
 * package ({@code channel.kafka}, later {@code channel.tcp} and {@code channel.memory}).
 */
package io.sinkron.channel;
