/** Wire schemas shared by every module that sends or stores inter-node messages. */
package io.sinkron.schemas;
