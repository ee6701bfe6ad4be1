import { ApiProperty } from '@nestjs/swagger';

export class CodecInfo {
  @ApiProperty({ nullable: true, type: String, example: 'avc1.64001f' }) video: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'mp4a.40.2' }) audio: string | null;
  @ApiProperty({ nullable: true, type: Number }) width: number | null;
  @ApiProperty({ nullable: true, type: Number }) height: number | null;
  @ApiProperty({ nullable: true, type: Number }) frameRate: number | null;
}

export class TranscoderStatusInfo {
  @ApiProperty({ enum: ['starting', 'running', 'restarting', 'stopped'] }) state: string;
  @ApiProperty({ description: 'Times ffmpeg ended by itself and was started again' }) restarts: number;
  @ApiProperty({ nullable: true, type: Number, description: "ffmpeg's speed, x real time: below 1 it cannot keep up" }) speed: number | null;
  @ApiProperty({ description: 'Input bytes dropped because ffmpeg had not taken the earlier ones (too slow, or restarting)' }) droppedBytes: number;
  @ApiProperty({ nullable: true, type: Number, description: 'CPU cores ffmpeg keeps busy (1: one core fully); null before a sample' })
  cpuCores: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why ffmpeg last ended' }) lastError: string | null;
}

export class RungQualityInfo {
  @ApiProperty({ nullable: true, type: Number, description: "SSIM against the source's segment with the same first frame, 0-1 (the source: 1)" })
  ssim: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Mean PSNR in dB (null: not measured, or identical)' }) psnr: number | null;
  @ApiProperty({ nullable: true, type: Number, description: "The rung's segment that was scored (media sequence number)" }) mediaSequence: number | null;
  @ApiProperty({ nullable: true, type: String }) measuredAt: string | null;
  @ApiProperty({ nullable: true, type: Number, description: "The rung's minSsim" }) minSsim: number | null;
  @ApiProperty({ description: 'The last SSIM is under minSsim' }) belowFloor: boolean;
  @ApiProperty({ description: 'The source: the reference the rungs are scored against, not measured' }) reference: boolean;
  @ApiProperty() probes: number;
  @ApiProperty() failures: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
}

export class RungStatusInfo {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The source, passed through without re-encoding' }) passthrough: boolean;
  @ApiProperty() segmentsWritten: number;
  @ApiProperty() writeFailures: number;
  @ApiProperty({ nullable: true, type: String }) lastSegmentAt: string | null;
  @ApiProperty({ type: RungQualityInfo }) quality: RungQualityInfo;
  @ApiProperty({ description: "Larger than the source's picture in a dimension (an upscale): worth fixing in the ladder" }) aboveSource: boolean;
}

export class LadderStatusInfo {
  @ApiProperty({ type: TranscoderStatusInfo }) transcoder: TranscoderStatusInfo;
  @ApiProperty({ type: [RungStatusInfo] }) rungs: RungStatusInfo[];
}

export class SrtStatusInfo {
  @ApiProperty({ enum: ['starting', 'listening', 'connected', 'restarting', 'stopped'] }) state: string;
  @ApiProperty({ description: 'Senders accepted (a reconnect counts again)' }) connections: number;
  @ApiProperty({ description: 'Handshakes refused (wrong passphrase, no encryption)' }) rejected: number;
  @ApiProperty({ nullable: true, type: String, example: 'Incorrect passphrase' }) lastRejection: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Round trip to the sender, as libsrt smooths it' }) rttMs: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Receive latency in force (the larger of both sides)' }) latencyMs: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Media held in the receive buffer' }) receiveBufferMs: number | null;
  @ApiProperty({ nullable: true, type: Number }) mbitRate: number | null;
  @ApiProperty() packetsReceived: number;
  @ApiProperty({ description: 'Packets found missing, each asked for again' }) packetsLost: number;
  @ApiProperty({ description: 'Retransmitted packets that arrived' }) packetsRetransmitted: number;
  @ApiProperty({ description: 'Packets given up on: not there by their play time' }) packetsDropped: number;
  @ApiProperty({ description: 'Packets that arrived after their play time' }) packetsBelated: number;
  @ApiProperty({ description: 'Times srt-live-transmit died and was started again' }) restarts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
}

export class RtmpStatusInfo {
  @ApiProperty({ enum: ['waiting', 'publishing', 'restarting', 'failed'], description: 'waiting: no publisher; failed: the RTMP front cannot run (lastError)' })
  state: string;
  @ApiProperty({ description: 'Publishers let in (a reconnect counts again)' }) publishes: number;
  @ApiProperty({ description: 'Publishers refused: wrong or no secret, an address not allowed, the key already taken' }) rejected: number;
  @ApiProperty({ nullable: true, type: String, example: 'wrong secret (from 203.0.113.7, 2026-12-03T14:00:00.000Z)' }) lastRejection: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Address of the publisher now in' }) publisher: string | null;
  @ApiProperty({ nullable: true, type: String }) publishingSince: string | null;
  @ApiProperty({ description: 'Times the reader (RTMP to MPEG-TS, no re-encoding) died while a publisher was in and was started again' })
  readerRestarts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
}

export class RistStatusInfo {
  @ApiProperty({ nullable: true, type: String, description: "The sender's RTCP address, once it has spoken" }) sender: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Smoothed round trip from RIST RTT echoes' }) rttMs: number | null;
  @ApiProperty({ description: 'Packets found missing' }) missing: number;
  @ApiProperty({ description: 'Retransmissions asked for (a packet asked for twice counts twice)' }) nacksSent: number;
  @ApiProperty({ description: 'RTCP NACK packets sent' }) nackPackets: number;
  @ApiProperty({ description: 'Packets that came flagged as retransmissions' }) retransmissionsReceived: number;
  @ApiProperty({ description: 'Missing packets that arrived after being asked for' }) recoveredByRetransmission: number;
  @ApiProperty({ description: 'Missing packets that arrived after their deadline' }) late: number;
  @ApiProperty({ description: 'Missing packets given up at their deadline (see unrecoverable)' }) lost: number;
  @ApiProperty() rtcpReceived: number;
  @ApiProperty() rtcpMalformed: number;
  @ApiProperty({ description: 'Times the sender restarted (a new SSRC, or renumbered): the requests start over' }) senderRestarts: number;
}

export class StreamStatusResponse {
  @ApiProperty() id: string;
  @ApiProperty() key: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({
    enum: ['starting', 'idle', 'live', 'degraded', 'stalled', 'failed', 'disabled'],
    description: 'degraded: input arrives but segments cannot be written',
  })
  state: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why the ingest failed to start (e.g. port in use), or why output cannot be written (e.g. ENOSPC)',
  })
  error: string | null;
  @ApiProperty({ description: 'bits/s over the last 2 s, FEC included' }) inputBitrate: number;
  @ApiProperty({ description: 'UDP datagrams on all ports, before the source filter' }) datagramsReceived: number;
  @ApiProperty({ description: 'Media packets (RTP) or TS datagrams (udp)' }) packetsReceived: number;
  @ApiProperty({ description: 'Media packets missing on arrival (recovered + unrecoverable)' }) lost: number;
  @ApiProperty() recoveredByFec: number;
  @ApiProperty({ description: 'Missing packets given up at their playout deadline' }) unrecoverable: number;
  @ApiProperty() reordered: number;
  @ApiProperty() duplicated: number;
  @ApiProperty({ description: 'Datagrams from sources outside allowedSources' }) droppedBySource: number;
  @ApiProperty({ description: 'Bad RTP/FEC headers, wrong payload type, broken TS' }) malformed: number;
  @ApiProperty({ description: 'RFC 3550 interarrival jitter' }) jitterMs: number;
  @ApiProperty({ description: 'Current playout (reorder + FEC) delay' }) playoutDelayMs: number;
  @ApiProperty() segmentsWritten: number;
  @ApiProperty({ description: 'Segments or playlists that could not be written (a full disk)' }) writeFailures: number;
  @ApiProperty({ description: 'Segments cut without a keyframe because none came in time (send an IDR at least every segmentSeconds)' })
  cutsWithoutKeyframe: number;
  @ApiProperty({ description: 'Segments dropped for outgrowing the 64 MiB per-segment memory cap' }) oversizeSegmentsDropped: number;
  @ApiProperty({ description: 'Times the video stopped while audio went on; the stream then goes on as audio' }) videoGaps: number;
  @ApiProperty({ nullable: true, type: Number, description: "Free bytes on MEDIA_ROOT's file system" }) mediaRootFreeBytes: number | null;
  @ApiProperty({ nullable: true, type: String }) lastSegmentAt: string | null;
  @ApiProperty({ description: 'Media sequence number of the newest segment' }) mediaSequence: number;
  @ApiProperty() discontinuitySequence: number;
  @ApiProperty({ type: CodecInfo }) codecs: CodecInfo;
  @ApiProperty({ type: LadderStatusInfo, nullable: true, description: 'The ABR ladder (renditions): its transcoder and rungs; null without renditions' })
  ladder: LadderStatusInfo | null;
  @ApiProperty({ type: SrtStatusInfo, nullable: true, description: "SRT streams: the listener and libsrt's own figures; null otherwise" })
  srt: SrtStatusInfo | null;
  @ApiProperty({ type: RtmpStatusInfo, nullable: true, description: 'RTMP streams: the publisher and the reader; null otherwise' })
  rtmp: RtmpStatusInfo | null;
  @ApiProperty({ type: RistStatusInfo, nullable: true, description: 'RIST streams: retransmission requests and what they brought; null otherwise' })
  rist: RistStatusInfo | null;
}
