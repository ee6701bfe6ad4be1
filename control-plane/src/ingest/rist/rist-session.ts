// One stream's RIST Simple Profile receiver (VSF TR-06-1) around the RTP path: it watches the
// sequence numbers of what arrives, asks the sender for what is missing with RTCP NACKs on the
// schedule wasm-core's nack.ts keeps (timed from the measured round trip and the buffer), answers
// and sends RTT echoes, and reports its figures. The packets themselves, originals and
// retransmissions alike, go on to the reorder/playout buffer (WasmReceiver), which waits for a
// gap as long as the RIST buffer: a retransmission that fills it is merged like an FEC-recovered
// packet would be.
import { randomInt } from 'node:crypto';
import { WasmNack } from '../../../../wasm-core/host/nack.js';
import type { NackStats } from '../../../../wasm-core/reference/nack.js';
import { MAX_DROPOUT } from '../../../../wasm-core/shared-limits.js';
import { buildReceiverReport, parseRtcp } from './rtcp.js';

/** A packet missing for less than this may only be overtaken (reordered): not asked for yet. */
const REORDER_ALLOWANCE_US = 10_000;
/** The least time between two requests for one packet, whatever the round trip. */
const MIN_REQUEST_INTERVAL_US = 20_000;
/** Requests per packet at most: past that the path is lost, not lossy. */
const MAX_REQUESTS = 8;
/** The round trip assumed until the first echo answer (librist's default RTT floor is of this order). */
const DEFAULT_RTT_US = 50_000;
/** A receiver report (with an RTT echo request) this often, as TR-06-1 asks of receivers. */
const REPORT_INTERVAL_US = 500_000;
/** RTT samples are smoothed like TCP's SRTT (RFC 6298: 1/8). */
const RTT_GAIN = 0.125;

export interface RistStatus {
  /** The sender's RTCP address, once it has spoken. */
  sender: string | null;
  /** Smoothed round trip from our echo requests (null: no answer yet). */
  rttMs: number | null;
  /** Packets found missing (each then asked for). */
  missing: number;
  /** Retransmissions asked for (a packet asked for twice counts twice), and the RTCP NACK packets that carried them. */
  nacksSent: number;
  nackPackets: number;
  /** Packets that came with the retransmission flag (SSRC + 1). */
  retransmissionsReceived: number;
  /** Missing packets that arrived after being asked for. */
  recoveredByRetransmission: number;
  /** Missing packets that arrived after their deadline (of no use). */
  late: number;
  /** Missing packets given up at their deadline. */
  lost: number;
  rtcpReceived: number;
  rtcpMalformed: number;
  /** A new SSRC or renumbered stream: the requests start over. */
  senderRestarts: number;
}

function sumStats(a: NackStats, b: NackStats): NackStats {
  return Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof NackStats] + b[k as keyof NackStats]])) as unknown as NackStats;
}

export interface RistSessionOptions {
  bufferMs: number;
  /** Packets tracked at once: a power of two covering the buffer at the highest packet rate. */
  window: number;
  /** Sends an RTCP datagram to the sender's RTCP address. */
  send: (datagram: Buffer, address: string, port: number) => void;
}

export class RistSession {
  private nack: WasmNack;
  private restarts = 0;
  private readonly ssrc = randomInt(1, 0xffffffff);
  private mediaSsrc = 0;
  private highest = -1;
  /** Counters of the schedules before the last sender restart, so the status never goes backwards. */
  private past: NackStats = { missing: 0, requests: 0, fciWords: 0, recovered: 0, filled: 0, late: 0, lost: 0 };
  private senderRtcp: { address: string; port: number } | null = null;
  private rttUs: number | null = null;
  private lastReportAt = -Infinity;
  private retransmissions = 0;
  private nackPackets = 0;
  private rtcpReceived = 0;
  private rtcpMalformed = 0;

  constructor(private readonly options: RistSessionOptions) {
    this.nack = this.newSchedule();
  }

  /** A new sender (SSRC) or a renumbered one: what was missing from the old numbering is not asked for. */
  private newSchedule(): WasmNack {
    const nack = new WasmNack({
      window: this.options.window,
      reorderUs: REORDER_ALLOWANCE_US,
      minIntervalUs: MIN_REQUEST_INTERVAL_US,
      maxAttempts: MAX_REQUESTS,
      bufferUs: this.options.bufferMs * 1000,
    });
    nack.setRtt(this.rttUs ?? DEFAULT_RTT_US);
    this.highest = -1;
    return nack;
  }

  /**
   * An RTP datagram on the media port, before the receiver sees it. A retransmission carries the
   * sender's SSRC + 1 (TR-06-1 5.3): it is put back to the stream's SSRC here, so the receiver
   * takes it as the packet it replaces rather than as a new source.
   */
  onMedia(datagram: Buffer, nowUs: number): void {
    if (datagram.length < 12 || datagram[0] >> 6 !== 2) return; // the receiver counts it malformed
    if (datagram[11] & 1) {
      datagram[11] &= 0xfe;
      this.retransmissions++;
    }
    const ssrc = datagram.readUInt32BE(8);
    const seq = datagram.readUInt16BE(2);
    // Extended from the highest number seen: the nearest in 16-bit space (RFC 3550 A.1's idea).
    const delta = this.highest < 0 ? 0 : (((seq - (this.highest & 0xffff)) & 0xffff) ^ 0x8000) - 0x8000;
    if (this.highest >= 0 && (ssrc !== this.mediaSsrc || Math.abs(delta) > MAX_DROPOUT)) {
      this.past = sumStats(this.past, this.nack.stats());
      this.nack = this.newSchedule();
      this.restarts++;
    }
    this.mediaSsrc = ssrc;
    const ext = this.highest < 0 ? seq : this.highest + delta;
    if (ext < 0) return;
    if (ext > this.highest) this.highest = ext;
    this.nack.arrived(ext, nowUs);
  }

  /** An RTCP datagram on port + 1: learns where the sender listens, answers echoes, times ours. */
  onRtcp(datagram: Buffer, address: string, port: number, nowUs: number): void {
    const packets = parseRtcp(datagram);
    if (!packets) {
      this.rtcpMalformed++;
      return;
    }
    this.rtcpReceived++;
    this.senderRtcp = { address, port };
    for (const packet of packets) {
      if (packet.type === 'echo-request') {
        this.send(nowUs, { echoResponse: { timestampHigh: packet.timestampHigh, timestampLow: packet.timestampLow, processingDelay: 0 } });
      } else if (packet.type === 'echo-response') {
        const sent = packet.timestampHigh * 1_000_000 + packet.timestampLow;
        const sample = nowUs - sent;
        if (sample >= 0 && sample < 10_000_000) {
          this.rttUs = this.rttUs === null ? sample : this.rttUs + RTT_GAIN * (sample - this.rttUs);
          this.nack.setRtt(this.rttUs);
        }
      }
    }
  }

  /** Called every few ms: the requests now due, and the periodic report with an echo request. */
  tick(nowUs: number): void {
    if (!this.senderRtcp) return;
    const fci = this.nack.due(nowUs);
    const report = nowUs - this.lastReportAt >= REPORT_INTERVAL_US;
    if (fci.length === 0 && !report) return;
    this.send(nowUs, {
      ...(fci.length > 0 ? { nack: { mediaSsrc: this.mediaSsrc, fci } } : {}),
      // Our clock in the echo: whole seconds and microseconds of nowUs, returned as they were sent.
      ...(report ? { echoRequest: { timestampHigh: Math.floor(nowUs / 1_000_000), timestampLow: Math.floor(nowUs % 1_000_000) } } : {}),
    });
    if (fci.length > 0) this.nackPackets++;
  }

  status(): RistStatus {
    const s = sumStats(this.past, this.nack.stats());
    return {
      sender: this.senderRtcp ? `${this.senderRtcp.address}:${this.senderRtcp.port}` : null,
      rttMs: this.rttUs === null ? null : Math.round(this.rttUs / 100) / 10,
      missing: s.missing,
      nacksSent: s.requests,
      nackPackets: this.nackPackets,
      retransmissionsReceived: this.retransmissions,
      recoveredByRetransmission: s.recovered,
      late: s.late,
      lost: s.lost,
      rtcpReceived: this.rtcpReceived,
      rtcpMalformed: this.rtcpMalformed,
      senderRestarts: this.restarts,
    };
  }

  private send(nowUs: number, parts: Omit<Parameters<typeof buildReceiverReport>[0], 'ssrc' | 'cname'>): void {
    if (!this.senderRtcp) return;
    if (parts.echoRequest) this.lastReportAt = nowUs;
    this.options.send(buildReceiverReport({ ssrc: this.ssrc, cname: 'hls-origin', ...parts }), this.senderRtcp.address, this.senderRtcp.port);
  }
}
