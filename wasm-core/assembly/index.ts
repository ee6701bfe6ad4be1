// The Node build: the whole receive path, the retransmission-request schedule and the cwnd math.
export { initReceiver, pushMedia, pushFec, tick, controlPtr, statsPtr, slotBytes } from './receiver';
export { estimateThroughputKbps, pacingRateBytesPerSecond, selectRendition, cwndScratchPtr } from './cwnd';
export { nackInit, nackSetRtt, nackArrived, nackDue, nackOutPtr, nackStatsPtr } from './nack';
