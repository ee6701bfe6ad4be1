// One stream's ingest inside a worker thread: UDP sockets -> source filter -> wasm-core receiver
// (RTP: sequence, jitter, reorder, FEC) -> packager. Runs on the worker's event loop, never the API's.
import dgram from 'node:dgram';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RECEIVER_DEFAULTS, WasmReceiver } from '../../../wasm-core/host/receiver.js';
import { RistSession } from './rist/rist-session.js';
import { RIST_MAX_PACKETS_PER_SECOND, RIST_RTCP_PORT_OFFSET } from '../streams/stream-limits.js';
import { LIVE_DIR, SOURCE_VARIANT } from '../media/hls-layout.js';
import type { PlaylistUpdate } from '../media/output/live-output.js';
import { MasterWriter } from '../media/output/master-writer.js';
import { RenditionReports } from '../media/output/rendition-reports.js';
import { SegmentTimeline } from '../media/segmenter/segment-timeline.js';
import { StreamPackager } from '../media/stream-packager.js';
import { Ladder } from '../media/transcode/ladder.js';
import type { IngestStatus, IngestStreamConfig, StreamState } from './ingest-protocol.js';
import { SourceFilter } from './source-filter.js';
import { SrtListener } from './srt/srt-listener.js';
import type { RtmpEvent } from './rtmp/rtmp-gate.js';
import { RtmpReader } from './rtmp/rtmp-reader.js';
import { applyRtmpEvent, newRtmpStatus, RtmpStatus } from './rtmp/rtmp-status.js';
import { TsStreamAligner } from '../media/ts/ts-stream-aligner.js';

/** Kernel receive buffer per socket: a few hundred ms of a 20 Mbit/s feed, so bursts are not dropped. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** No packet for this long: the feed is stalled and the segment in progress is published. */
const MIN_STALL_MS = 2000;
/** Input bitrate is averaged over this window. */
const BITRATE_WINDOW_MS = 2000;
const BUCKET_MS = 100;
/** A port that cannot be bound is tried again after this, doubling up to the maximum. */
const BIND_RETRY_FIRST_MS = 200;
const BIND_RETRY_MAX_MS = 5000;
/** A port that stays taken is logged once, then about once a minute. */
const BIND_RETRY_LOG_EVERY = 12;

/** What every stream of a worker shares: where media goes, how often ABR rungs' quality is scored. */
export interface IngestHost {
  mediaRoot: string;
  qualityProbeSeconds: number;
  /** Where RTMP streams are read back from the front: rtmp://127.0.0.1:<RTMP_PORT>/live. */
  rtmpPlayBase: string;
}

export interface IngestLogger {
  log(message: string): void;
  warn(message: string): void;
}

export class StreamIngest {
  private readonly sockets: dgram.Socket[] = [];
  private readonly filter: SourceFilter;
  private readonly receiver: WasmReceiver | null;
  private readonly packager: StreamPackager;
  /** ABR rungs, made from what the source packager gets; null without renditions. */
  private readonly ladder: Ladder | null;
  private readonly sink = (payload: Uint8Array) => {
    this.packager.push(payload);
    this.ladder?.write(payload);
  };
  private state: StreamState = 'starting';
  private error: string | null = null;
  private lastPacketAt = 0;
  private stallFlushed = true;
  private datagrams = 0;
  private droppedBySource = 0;
  private udpPackets = 0;
  /** Write failures counted when the last failure was logged, and when writes last recovered. */
  private failuresLogged = 0;
  private failuresAtRecovery = 0;
  private eventsLogged = { cuts: 0, oversize: 0, gaps: 0 };
  /** Bytes per 100 ms bucket over the bitrate window: counting allocates nothing per datagram. */
  private readonly buckets = new Float64Array(BITRATE_WINDOW_MS / BUCKET_MS);
  private bucketAt = 0;
  private bindFailures = 0;
  private bindRetry: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Protocol "srt": srt-live-transmit, delivering the TS on a pipe, and the aligner of what it writes. */
  private srt: SrtListener | null = null;
  private readonly srtAligner = new TsStreamAligner();
  /** Protocol "rtmp": the publisher's state, and the reader that runs while one is in. */
  private rtmp: { status: RtmpStatus; reader: RtmpReader; aligner: TsStreamAligner } | null = null;
  private tsPackets = 0;
  /** Protocol "rist": the NACK schedule and RTCP of the RIST receiver (the RTP path is the receiver's). */
  private rist: RistSession | null = null;
  /** How long after the last packet the receiver may still hold some (its largest playout delay). */
  private holdMs = RECEIVER_DEFAULTS.maxDelayUs / 1000;

  constructor(
    readonly config: IngestStreamConfig,
    { mediaRoot, qualityProbeSeconds, rtmpPlayBase }: IngestHost,
    private readonly logger: IngestLogger,
    /** LL-HLS: each rewrite of a variant's media playlist, for blocking reload. */
    onPlaylist?: (variant: string, update: PlaylistUpdate) => void,
  ) {
    this.filter = new SourceFilter(config.allowedSources);
    this.receiver = config.protocol === 'rtp' ? new WasmReceiver({ fec: config.fec }) : null;
    if (config.rist) {
      // RIST: a gap is held for the whole buffer (retransmissions fill it meanwhile), and the
      // buffer holds that long a feed at the highest rate it is sized for.
      const bufferUs = config.rist.bufferMs * 1000;
      const packets = Math.ceil((config.rist.bufferMs * RIST_MAX_PACKETS_PER_SECOND) / 1000);
      this.receiver = new WasmReceiver({ fec: null, minDelayUs: bufferUs, maxDelayUs: bufferUs, reorderPackets: packets });
      this.holdMs = config.rist.bufferMs;
      this.rist = new RistSession({
        bufferMs: config.rist.bufferMs,
        window: 2 ** Math.ceil(Math.log2(Math.max(64, 2 * packets))),
        send: (datagram, address, port) => this.sockets[1]?.send(datagram, port, address),
      });
    }
    if (config.protocol === 'rtmp') this.rtmp = this.rtmpReader(`${rtmpPlayBase}/${config.key}`);
    const packaging = {
      mediaRoot,
      key: config.key,
      segmentSeconds: config.segmentSeconds,
      windowSegments: config.windowSegments,
      dvrSeconds: config.dvrSeconds,
      lowLatency: config.partSeconds !== null ? { partSeconds: config.partSeconds } : undefined,
    };
    const master = new MasterWriter(path.join(mediaRoot, LIVE_DIR, config.key));
    const reports = new RenditionReports();
    // With a ladder, the source's cut points and date-times are every rung's.
    const timeline = config.renditions.length > 0 ? new SegmentTimeline() : null;
    this.packager = new StreamPackager({
      ...packaging,
      master,
      reports,
      timeline: timeline ? { shared: timeline, lead: true } : undefined,
      onPlaylist: onPlaylist ? (update) => onPlaylist(SOURCE_VARIANT, update) : undefined,
      onSegment: (segment) => this.ladder?.sourceSegmentWritten(segment),
      onError: (error) => this.onWriteError(error),
    });
    this.ladder = timeline
      ? new Ladder({
          rungs: config.renditions,
          packaging,
          master,
          timeline,
          reports,
          onPlaylist,
          onError: (error) => this.onWriteError(error),
          onRestart: (status) => this.logger.warn(`transcoder restarted (${status.restarts} so far): ${status.lastError}`),
          quality: {
            intervalMs: qualityProbeSeconds * 1000,
            sourceSize: () => {
              const { width, height } = this.packager.stats().format;
              return width && height ? { width, height } : null;
            },
            onBelowFloor: (rung, q) => this.logger.warn(`rung ${rung}: SSIM ${q.ssim} is under its floor of ${q.minSsim} (segment ${q.mediaSequence})`),
          },
        })
      : null;
  }

  async start(): Promise<void> {
    await this.packager.open();
    await this.ladder?.open();
    await this.listen();
  }

  /**
   * Binds the stream's ports. A port that is taken (another program, a socket of the stream's
   * previous place not yet released) does not fail the stream for good: the state says why and the
   * bind is retried with back-off until it works or the stream is stopped.
   */
  private async listen(): Promise<void> {
    const port = this.config.port;
    if (port === null) {
      // RTMP: the front listens; this stream waits for a publisher (onRtmp).
      this.state = 'idle';
      return;
    }
    if (this.config.srt) return this.listenSrt(port, this.config.srt);
    this.bindRetry = null;
    // RTP with FEC: media on the port, column FEC on port + 2, row FEC on port + 4 (SMPTE 2022-1).
    const ports = this.rist ? [port, port + RIST_RTCP_PORT_OFFSET] : this.receiver && this.config.fec ? [port, port + 2, port + 4] : [port];
    const onMedia = (msg: Buffer, info: dgram.RemoteInfo) => this.onMedia(msg, info);
    const onFec = this.rist ? (msg: Buffer, info: dgram.RemoteInfo) => this.onRtcp(msg, info) : (msg: Buffer, info: dgram.RemoteInfo) => this.onFec(msg, info);
    try {
      for (const [i, port] of ports.entries()) await this.bind(port, i === 0 ? onMedia : onFec);
    } catch (error) {
      await this.closeSockets();
      if (this.stopped) return;
      const delay = Math.min(BIND_RETRY_MAX_MS, BIND_RETRY_FIRST_MS * 2 ** Math.min(this.bindFailures, 10));
      const message = `cannot listen on UDP ${ports.join(', ')}: ${(error as Error).message}; retrying every ${Math.round(delay / 100) / 10} s`;
      if (this.bindFailures % BIND_RETRY_LOG_EVERY === 0) this.logger.warn(message);
      this.bindFailures++;
      this.fail(message);
      this.bindRetry = setTimeout(() => void this.listen(), delay);
      return;
    }
    if (this.stopped) return void (await this.closeSockets());
    if (this.bindFailures > 0) this.logger.log(`UDP ${ports.join(', ')} free again after ${this.bindFailures} failed attempt(s)`);
    this.bindFailures = 0;
    this.state = 'idle';
    this.error = null;
    this.logger.log(`listening for ${this.config.protocol.toUpperCase()} on UDP ${ports.join(', ')}`);
  }

  /**
   * SRT: the listener on the stream's port is srt-live-transmit (it binds the port, and retries
   * with back-off when it cannot); what it receives comes on its stdout and takes the path of
   * any MPEG-TS byte stream from there (as RTMP's does).
   */
  private listenSrt(port: number, srt: { passphrase: string; latencyMs: number }): void {
    this.srt = new SrtListener({
      port,
      passphrase: srt.passphrase,
      latencyMs: srt.latencyMs,
      onData: (chunk) => this.onStreamData(chunk, this.srtAligner),
      onRestart: () => this.srtAligner.reset(),
      onEvent: (event) => {
        if (event.kind === 'listening') this.logger.log(`listening for SRT on UDP ${port} (latency ${srt.latencyMs} ms)`);
        else if (event.kind === 'connected') this.logger.log('SRT sender connected');
        else if (event.kind === 'disconnected') this.logger.log('SRT sender left; listening for it to come back');
        else this.logger.warn(`SRT sender refused: ${event.reason}`);
      },
    });
    this.srt.start();
    this.state = 'idle';
  }

  private rtmpReader(url: string): { status: RtmpStatus; reader: RtmpReader; aligner: TsStreamAligner } {
    const aligner = new TsStreamAligner();
    const status = newRtmpStatus();
    const reader = new RtmpReader({
      url,
      onData: (chunk) => this.onStreamData(chunk, aligner),
      onExit: (reason) => {
        status.lastError = reason;
        status.state = 'restarting';
        aligner.reset();
        this.logger.warn(`${reason}; starting it again`);
      },
    });
    return { status, reader, aligner };
  }

  /** What the RTMP front reports: a publisher in starts the reader, one gone stops it. */
  onRtmp(event: RtmpEvent): void {
    const rtmp = this.rtmp;
    if (!rtmp || this.stopped) return;
    applyRtmpEvent(rtmp.status, event);
    if (event.kind === 'publish') {
      rtmp.aligner.reset();
      rtmp.reader.start();
    } else if (event.kind === 'unpublish') {
      void rtmp.reader.stop();
      this.logger.log('RTMP publisher left; waiting for one to publish again');
    }
  }

  /** MPEG-TS from a pipe (the RTMP reader, the SRT listener): whole packets on to the packager. */
  private onStreamData(chunk: Buffer, aligner: TsStreamAligner): void {
    this.arrived(chunk.length);
    if (this.rtmp?.status.state === 'restarting') this.rtmp.status.state = 'publishing';
    aligner.push(chunk, (packets) => {
      this.tsPackets += packets.length / 188;
      this.sink(packets);
    });
  }

  private async closeSockets(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets.length = 0;
  }

  /** Called every few ms: releases what the playout buffer holds past its deadline, detects stalls. */
  tick(nowMs: number): void {
    // Held packets wait at most the maximum playout delay after the last arrival; past that
    // there is nothing to release, so an idle stream costs no call into the module.
    if (this.receiver && nowMs - this.lastPacketAt <= this.holdMs + 100) this.receiver.tick(nowMs * 1000, this.sink);
    this.rist?.tick(nowMs * 1000);
    const stallMs = Math.max(MIN_STALL_MS, this.config.segmentSeconds * 1000);
    if (!this.stallFlushed && nowMs - this.lastPacketAt > stallMs) {
      this.stallFlushed = true;
      this.state = 'stalled';
      this.packager.flush();
      this.ladder?.flush();
      this.logger.warn(`no input for ${Math.round(stallMs)} ms: stalled, published the segment in progress`);
    }
  }

  async stop(removeFiles: boolean): Promise<void> {
    this.stopped = true;
    if (this.bindRetry) clearTimeout(this.bindRetry);
    await this.srt?.stop();
    await this.rtmp?.reader.stop();
    await this.closeSockets();
    await this.ladder?.stop(removeFiles);
    if (removeFiles) {
      await this.packager.output.removeAll();
    } else {
      this.packager.flush();
      await this.packager.output.drain().catch(() => undefined);
    }
  }

  fail(message: string): void {
    this.state = 'failed';
    this.error = message;
  }

  /** A write failed: logged at the first of a run and every 30th after, so a full disk does not flood the log. */
  private onWriteError(error: Error): void {
    const failures = this.packager.output.stats.writeFailures;
    if (failures - this.failuresLogged >= 30 || this.failuresLogged === this.failuresAtRecovery) {
      this.logger.warn(`writing output failed (${failures} failures so far): ${error.message}; the segment is dropped, the next is tried`);
      this.failuresLogged = failures;
    }
  }

  /** One log line when a packaging safeguard bites (checked once a second, with the status). */
  private logNewEvents(cuts: number, oversize: number, gaps: number): void {
    const seen = this.eventsLogged;
    if (cuts > seen.cuts && seen.cuts === 0)
      this.logger.warn('a segment had to be cut without a keyframe: send an IDR at least every segmentSeconds (x264: keyint, no intra-refresh)');
    if (oversize > seen.oversize) this.logger.warn(`${oversize - seen.oversize} segment(s) dropped for outgrowing the per-segment memory cap`);
    if (gaps > seen.gaps) this.logger.warn('the video stopped while audio goes on: going on as audio until video returns');
    this.eventsLogged = { cuts, oversize, gaps };
  }

  status(nowMs: number, mediaRootFreeBytes: number | null = null): IngestStatus {
    this.advanceBuckets(nowMs);
    const r = this.receiver?.readStats();
    const p = this.packager.stats();
    if (p.writeError === null && this.failuresLogged > this.failuresAtRecovery) {
      this.logger.log(`writing output works again after ${p.writeFailures - this.failuresAtRecovery} failed writes`);
      this.failuresAtRecovery = this.failuresLogged = p.writeFailures;
    }
    this.logNewEvents(p.forcedCuts, p.oversizeDrops, p.videoGaps);
    const degraded = p.writeError !== null && this.state === 'live';
    // An SRT listener that died is being started again: nothing can connect meanwhile.
    const srtDown = this.srt?.status.state === 'restarting';
    const frontDown = this.rtmp?.status.state === 'failed';
    const rist = this.rist?.status() ?? null;
    return {
      state: degraded ? 'degraded' : srtDown || frontDown ? 'failed' : this.state,
      error: degraded ? `writing output failed: ${p.writeError}` : srtDown ? this.srt!.status.lastError : frontDown ? this.rtmp!.status.lastError : this.error,
      inputBitrate: Math.round((this.buckets.reduce((a, b) => a + b, 0) * 8 * 1000) / BITRATE_WINDOW_MS),
      datagramsReceived: this.datagrams,
      packetsReceived: r ? r.received : this.rtmp || this.srt ? this.tsPackets : this.udpPackets,
      // RIST: every packet found missing (then asked for); RTP with FEC: the recovered and the unrecoverable.
      lost: rist ? rist.missing : r ? r.recovered + r.lost : 0,
      recoveredByFec: r?.recovered ?? 0,
      unrecoverable: r?.lost ?? 0,
      reordered: r?.reordered ?? 0,
      duplicated: r?.duplicates ?? 0,
      droppedBySource: this.droppedBySource,
      malformed:
        (r ? r.malformed + r.wrongPayloadType + r.fecMalformed + r.fecMismatch + r.jumps : 0) +
        p.demux.invalid +
        (p.misalignedBytes > 0 ? Math.ceil(p.misalignedBytes / 188) : 0),
      jitterMs: r?.jitterMs ?? 0,
      playoutDelayMs: r ? r.delayUs / 1000 : 0,
      segmentsWritten: p.segmentsWritten,
      writeFailures: p.writeFailures,
      cutsWithoutKeyframe: p.forcedCuts,
      oversizeSegmentsDropped: p.oversizeDrops,
      videoGaps: p.videoGaps,
      mediaRootFreeBytes,
      lastSegmentAt: p.lastSegmentAt?.toISOString() ?? null,
      mediaSequence: p.mediaSequence,
      discontinuitySequence: p.discontinuitySequence,
      codecs: { video: p.format.videoCodecs, audio: p.format.audioCodecs, width: p.format.width, height: p.format.height, frameRate: p.format.frameRate },
      ladder: this.ladder?.status(p) ?? null,
      srt: this.srt?.snapshot() ?? null,
      rtmp: this.rtmp ? { ...this.rtmp.status, readerRestarts: this.rtmp.reader.restarts } : null,
      rist,
    };
  }

  private bind(port: number, onMessage: (msg: Buffer, info: dgram.RemoteInfo) => void, address = '0.0.0.0'): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
      socket.once('error', (error) => {
        try {
          socket.close();
        } catch {
          // already closed by the failed bind
        }
        reject(error);
      });
      socket.on('message', onMessage);
      socket.bind(port, address, () => {
        socket.removeAllListeners('error');
        socket.on('error', (error) => this.logger.warn(`socket on ${port}: ${error.message}`));
        this.sockets.push(socket);
        resolve();
      });
    });
  }

  private accept(msg: Buffer, info: dgram.RemoteInfo): boolean {
    this.datagrams++;
    if (!this.filter.allows(info.address)) {
      this.droppedBySource++;
      return false;
    }
    this.arrived(msg.length);
    return true;
  }

  /** Input of `bytes` arrived now: the bitrate, the stall clock and the state follow it. */
  private arrived(bytes: number): void {
    const now = performance.now();
    this.lastPacketAt = now;
    this.advanceBuckets(now);
    this.buckets[this.bucketAt % this.buckets.length] += bytes;
    if (this.stallFlushed || this.state !== 'live') {
      this.stallFlushed = false;
      this.state = 'live';
    }
  }

  private onMedia(msg: Buffer, info: dgram.RemoteInfo): void {
    if (!this.accept(msg, info)) return;
    this.rist?.onMedia(msg, this.lastPacketAt * 1000);
    if (this.receiver) this.receiver.pushMedia(msg, this.lastPacketAt * 1000, this.sink);
    else {
      this.udpPackets++;
      this.sink(msg); // the source packager and, with a ladder, the transcoder
    }
  }

  /** RIST's RTCP (port + 1): from the sender only (allowedSources), not counted as media. */
  private onRtcp(msg: Buffer, info: dgram.RemoteInfo): void {
    if (!this.filter.allows(info.address)) {
      this.droppedBySource++;
      return;
    }
    this.rist!.onRtcp(msg, info.address, info.port, performance.now() * 1000);
  }

  private onFec(msg: Buffer, info: dgram.RemoteInfo): void {
    if (!this.accept(msg, info)) return;
    this.receiver!.pushFec(msg, this.lastPacketAt * 1000, this.sink);
  }

  /** Moves to the bucket of `nowMs`, clearing the ones skipped over. */
  private advanceBuckets(nowMs: number): void {
    const current = Math.floor(nowMs / BUCKET_MS);
    if (current === this.bucketAt) return;
    const steps = Math.min(current - this.bucketAt, this.buckets.length);
    for (let i = 1; i <= steps; i++) this.buckets[(this.bucketAt + i) % this.buckets.length] = 0;
    this.bucketAt = current;
  }
}
