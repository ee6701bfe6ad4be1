// RFC 3550 6.4.1 / A.8 interarrival jitter, integer arithmetic in RTP clock units, kept scaled
// by 16 as the RFC's reference code does (jitter += |D| - ((jitter + 8) >> 4)).

export let jitterScaled: u32 = 0;
let lastTransit: i32 = 0;
let haveTransit: bool = false;

export function resetJitter(): void {
  jitterScaled = 0;
  haveTransit = false;
}

/** `arrival` and `rtpTimestamp` are in the same clock (90 kHz for MPEG-TS); both wrap at 2^32. */
export function updateJitter(arrival: u32, rtpTimestamp: u32): void {
  const transit = <i32>(arrival - rtpTimestamp);
  if (haveTransit) {
    let d = transit - lastTransit;
    if (d < 0) d = -d;
    jitterScaled += <u32>d - ((jitterScaled + 8) >> 4);
  }
  lastTransit = transit;
  haveTransit = true;
}

/** The jitter estimate in clock units (the RFC's reported value). */
@inline export function jitterUnits(): u32 {
  return jitterScaled >> 4;
}
