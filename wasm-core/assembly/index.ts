// The Node build: the whole receive path and the cwnd math.
export { initReceiver, pushMedia, pushFec, tick, controlPtr, statsPtr, slotBytes } from './receiver';
export { estimateThroughputKbps, pacingRateBytesPerSecond, selectRendition, cwndScratchPtr } from './cwnd';
