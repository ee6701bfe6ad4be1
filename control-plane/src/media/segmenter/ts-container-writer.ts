import { setContinuityCounter } from '../ts/ts-packet.js';
import type { ContainerWriter } from './segment.js';

/**
 * MPEG-TS segments (RFC 8216bis 3.1.1): each starts with a PAT and a PMT. The copies injected at
 * segment starts get their own continuity counters, and so do the stream's own PAT/PMT packets,
 * so PID 0 and the PMT PID count without a gap in every segment.
 */
export class TsContainerWriter implements ContainerWriter {
  readonly extension = 'ts';
  private patCc = 0;
  private pmtCc = 0;

  constructor(private readonly psi: () => { pat: Uint8Array | null; pmt: Uint8Array | null }) {}

  segmentPrefix(): Uint8Array {
    const { pat, pmt } = this.psi();
    if (!pat || !pmt) return new Uint8Array(0);
    const prefix = new Uint8Array(376);
    prefix.set(pat, 0);
    prefix.set(pmt, 188);
    setContinuityCounter(prefix, this.patCc++ & 0x0f, 0);
    setContinuityCounter(prefix, this.pmtCc++ & 0x0f, 188);
    return prefix;
  }

  prepare(packet: Uint8Array, kind: 'pat' | 'pmt'): Uint8Array {
    if (kind === 'pat') setContinuityCounter(packet, this.patCc++ & 0x0f);
    else setContinuityCounter(packet, this.pmtCc++ & 0x0f);
    return packet;
  }
}
