// The njs build (translated to JavaScript by wasm2js): only what nginx needs, the cwnd math.
export { estimateThroughputKbps, pacingRateBytesPerSecond, selectRendition, cwndScratchPtr } from './cwnd';
