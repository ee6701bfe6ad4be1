// npm run bench:contribution [-- --streams 4 --seconds 30 --rounds 3 --latency 200 --protocols srt,rtmp,rist --loss 0.05]
// Contribution protocols, ours against ffmpeg receiving the same protocol and writing HLS with
// `-c copy`, in alternating rounds of one run. Per protocol, N senders (ffmpeg) replay a recorded
// 4 Mbit/s capture in real time to N streams of this system, then to N ffmpeg peers:
// - SRT: libsrt callers; ours is the control plane with its srt-live-transmit listeners, the peer
//   `ffmpeg -i srt://...?mode=listener -c copy -f hls`.
// - RTMP: FLV publishers (as OBS sends); ours is the control plane with the nginx-rtmp front and
//   its ffmpeg readers, the peer `ffmpeg -listen 1 -i rtmp://... -c copy -f hls`.
// - RIST (Simple Profile): librist senders through a relay dropping --loss of the RTP (and adding
//   50 ms); ours is the control plane alone (wasm-core receiver and NACK schedule), the peer
//   `ffmpeg -rist_profile simple -i rist://@... -c copy -f hls` behind the same kind of relay. Also
//   printed: what the relay dropped against what our receiver asked for, recovered and lost (with
//   a buffer of 1 s and a round trip of about 50 ms, retransmission can in principle recover all).
// Every process of ours is counted (the control plane and all its descendants); senders' CPU is
// not counted on either side. Prints CPU seconds per stream-minute (min, median, max) per protocol
// and a last line ratio=<worst ours/ffmpeg median ratio over the protocols>.
import { ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../control-plane/src/database/embedded-postgres.js';
import { freeUdpPortBlocks } from '../test/support/ports.js';
import { DuplexUdpRelay } from '../test/support/udp-relay.js';
import { REPO_ROOT } from '../test/support/process.js';
import { startBenchSystem } from './support/bench-system.js';
import { cpuSeconds, descendantPids } from './support/cpu.js';
import { startFfmpegHls } from './support/ffmpeg-hls.js';
import { numberOption, textOption } from './support/options.js';
import { CaptureSpec, captureFile } from './support/rtp-capture.js';

const STREAMS = numberOption('streams', 4);
const SECONDS = numberOption('seconds', 30);
const ROUNDS = numberOption('rounds', 3);
const LATENCY_MS = numberOption('latency', 200);
const PROTOCOLS = textOption('protocols', 'srt,rtmp,rist').split(',') as Protocol[];
const LOSS = numberOption('loss', 0.05);
const RIST_BUFFER_MS = 1000;
const WARM_UP_SECONDS = 4;
const PASSPHRASE = 'bench-contribution-secret';

type Protocol = 'srt' | 'rtmp' | 'rist';

/** A 4 Mbit/s constant-rate 720p capture, long enough for the warm-up and the window. */
const CAPTURE: CaptureSpec = {
  seconds: SECONDS + WARM_UP_SECONDS + 4,
  size: '1280x720',
  fps: 30,
  gop: 60,
  videoKbps: 3600,
  muxKbps: 4000,
  preset: 'ultrafast',
  zeroLatency: true,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ffmpeg replaying the capture in real time to each target (an srt:// or rtmp:// URL). */
function startSenders(file: string, targets: string[]): ChildProcess[] {
  return targets.map((target) =>
    spawn('ffmpeg', ['-v', 'error', '-re', '-i', file, '-c', 'copy', ...outputFormat(target), target], {
      stdio: 'ignore',
    }),
  );
}

function outputFormat(target: string): string[] {
  if (target.startsWith('rtmp:')) return ['-f', 'flv'];
  if (target.startsWith('rist:')) return ['-f', 'mpegts', '-rist_profile', 'simple', '-buffer_size', String(RIST_BUFFER_MS)];
  return ['-f', 'mpegts'];
}

/** The lossy path in front of a RIST receiver on `port`: RTP dropped at --loss, both ports 50 ms slower; returns where senders send. */
async function ristPath(port: number, relays: DuplexUdpRelay[], seed: number): Promise<number> {
  const from = (await freeUdpPortBlocks(1))[0];
  const media = new DuplexUdpRelay({ from, to: port, dropRate: LOSS, seed, delayMs: 50 });
  const rtcp = new DuplexUdpRelay({ from: from + 1, to: port + 1, dropRate: 0, seed: seed + 1, delayMs: 50 });
  await media.start();
  await rtcp.start();
  relays.push(media, rtcp);
  return from;
}

const srtUrl = (port: number, extra = '') => `srt://127.0.0.1:${port}?passphrase=${PASSPHRASE}&latency=${LATENCY_MS * 1000}&pkt_size=1316${extra}`;

async function stopAll(children: ChildProcess[], signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  for (const c of children) c.kill(signal);
  const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 3000);
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
  clearTimeout(force);
}

/** CPU seconds used by these processes over the measured window, after the warm-up, per process. */
async function measure(pids: () => number[]): Promise<Map<number, number>> {
  await sleep(WARM_UP_SECONDS * 1000);
  const before = new Map(pids().map((pid) => [pid, cpuSeconds(pid)]));
  await sleep(SECONDS * 1000);
  const used = new Map<number, number>();
  for (const pid of pids()) {
    try {
      used.set(pid, cpuSeconds(pid) - (before.get(pid) ?? 0));
    } catch {
      // ended during the window
    }
  }
  return used;
}

const total = (used: Map<number, number>) => [...used.values()].reduce((a, b) => a + b, 0);
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (x: { min: number; median: number; max: number }) => `min ${x.min.toFixed(3)} median ${x.median.toFixed(3)} max ${x.max.toFixed(3)}`;

const work = await mkdtemp(path.join(os.tmpdir(), 'hls-bench-contribution-'));
await chmod(work, 0o755);
process.chdir(REPO_ROOT);
const rtmpPort = await freeLoopbackPort();
const system = await startBenchSystem(work, { RTMP_PORT: String(rtmpPort) });
const api = system.api;
const summaries: { protocol: Protocol; ours: number; ffmpeg: number }[] = [];
try {
  const file = captureFile(CAPTURE);
  const minutes = (SECONDS / 60) * STREAMS;
  for (const protocol of PROTOCOLS) {
    // Our streams, and where their senders send.
    const oursTargets: string[] = [];
    const relays: DuplexUdpRelay[] = [];
    if (protocol === 'rist') {
      for (const [i, port] of (await freeUdpPortBlocks(STREAMS)).entries()) {
        await api('POST', '/api/v1/streams', {
          key: `rist-${i}`,
          ingest: { protocol: 'rist', port, rist: { bufferMs: RIST_BUFFER_MS } },
          packaging: { segmentSeconds: 2 },
        });
        oursTargets.push(`rist://127.0.0.1:${await ristPath(port, relays, i + 1)}`);
      }
    } else if (protocol === 'srt') {
      for (const [i, port] of (await freeUdpPortBlocks(STREAMS)).entries()) {
        await api('POST', '/api/v1/streams', {
          key: `srt-${i}`,
          ingest: { protocol: 'srt', port, srt: { passphrase: PASSPHRASE, latencyMs: LATENCY_MS } },
          packaging: { segmentSeconds: 2 },
        });
        oursTargets.push(srtUrl(port));
      }
    } else {
      for (let i = 0; i < STREAMS; i++) {
        const created = await api('POST', '/api/v1/streams', { key: `rtmp-${i}`, ingest: { protocol: 'rtmp' }, packaging: { segmentSeconds: 2 } });
        oursTargets.push(`rtmp://127.0.0.1:${rtmpPort}/live/rtmp-${i}?secret=${created.ingest.rtmp.secret}`);
      }
    }
    await sleep(2000);
    console.log(
      `bench:contribution: ${protocol.toUpperCase()}, ${STREAMS} streams x ${CAPTURE.muxKbps} kbit/s (${CAPTURE.size}@${CAPTURE.fps})${protocol === 'srt' ? `, latency ${LATENCY_MS} ms` : ''}${protocol === 'rist' ? `, ${LOSS * 100} % loss + 50 ms, buffer ${RIST_BUFFER_MS} ms` : ''}, ${SECONDS} s windows after ${WARM_UP_SECONDS} s, ${ROUNDS} alternating rounds`,
    );
    const oursRuns: number[] = [];
    const ffmpegRuns: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Ours: the control plane (ingest workers, packaging, API) and every process under it.
      const senders = startSenders(file, oursTargets);
      const readStatuses = () => Promise.all(oursTargets.map((_, i) => api('GET', `/api/v1/streams/${protocol}-${i}/status`)));
      const droppedSoFar = () => relays.filter((_, i) => i % 2 === 0).reduce((a, r) => a + r.dropped, 0);
      // RIST's figures are taken over this round's window: from 2 s in (a new sender has replaced
      // the last round's, whose final gaps could never be filled) to just before the senders stop.
      const baseline = sleep(2000).then(async () => ({ statuses: await readStatuses(), dropped: droppedSoFar() }));
      const oursUsed = await measure(() => [system.pid, ...descendantPids(system.pid)]);
      const oursCpu = total(oursUsed);
      const controlPlane = oursUsed.get(system.pid) ?? 0;
      // Read while the senders still send: the packets in flight when they stop can never come back.
      const statuses = await readStatuses();
      const dropped = droppedSoFar();
      await stopAll(senders);
      if (protocol === 'rist') {
        const start = await baseline;
        const delta = (f: (s: any) => number) => statuses.reduce((a, s) => a + f(s), 0) - start.statuses.reduce((a, s) => a + f(s), 0);
        console.log(
          `# rist, this round's window: the relays dropped ${dropped - start.dropped} RTP packets (retransmissions too); ` +
            `missing ${delta((s) => s.rist.missing)}, asked for ${delta((s) => s.rist.nacksSent)}, recovered ${delta((s) => s.rist.recoveredByRetransmission)}, ` +
            `unrecoverable ${delta((s) => s.unrecoverable)}`,
        );
      } else {
        const accepted = statuses.map((s) => (protocol === 'srt' ? (s.srt?.connections ?? 0) : (s.rtmp?.publishes ?? 0)));
        if (accepted.some((c) => c < round)) console.warn(`# a sender did not get in: ${accepted}`);
      }
      await sleep(protocol === 'srt' ? 6000 : 2000); // libsrt notices the senders gone (peer idle timeout) before the next round
      // ffmpeg: one listener writing HLS per stream.
      const peerTargets: string[] = [];
      const peers: ChildProcess[] = [];
      const peerRelays: DuplexUdpRelay[] = [];
      for (let i = 0; i < STREAMS; i++) {
        const dir = path.join(work, 'ffmpeg', `${protocol}-${round}-${i}`);
        if (protocol === 'rist') {
          const [port] = await freeUdpPortBlocks(1);
          peers.push(
            startFfmpegHls(`rist://@127.0.0.1:${port}`, dir, {
              segmentSeconds: 2,
              inputOptions: ['-rist_profile', 'simple', '-buffer_size', String(RIST_BUFFER_MS)],
            }),
          );
          peerTargets.push(`rist://127.0.0.1:${await ristPath(port, peerRelays, 100 + i)}`);
        } else if (protocol === 'srt') {
          const [port] = await freeUdpPortBlocks(1);
          peers.push(startFfmpegHls(srtUrl(port, '&mode=listener').replace('127.0.0.1', '0.0.0.0'), dir, { segmentSeconds: 2 }));
          peerTargets.push(srtUrl(port));
        } else {
          const port = await freeLoopbackPort();
          peers.push(startFfmpegHls(`rtmp://127.0.0.1:${port}/live/peer-${i}`, dir, { segmentSeconds: 2, inputOptions: ['-listen', '1'] }));
          peerTargets.push(`rtmp://127.0.0.1:${port}/live/peer-${i}`);
        }
      }
      await sleep(1000);
      const peerSenders = startSenders(file, peerTargets);
      const ffmpegCpu = total(await measure(() => peers.map((p) => p.pid!)));
      await stopAll(peerSenders);
      await stopAll(peers, 'SIGINT');
      for (const relay of peerRelays) relay.stop();
      oursRuns.push(oursCpu / minutes);
      ffmpegRuns.push(ffmpegCpu / minutes);
      const helpers = protocol === 'srt' ? 'srt-live-transmit' : protocol === 'rtmp' ? 'nginx-rtmp + readers' : 'no helper process';
      console.log(
        `round ${round}: ours ${(oursCpu / minutes).toFixed(3)} CPU s per stream-minute (control plane ${(controlPlane / minutes).toFixed(3)}, ` +
          `${helpers} ${((oursCpu - controlPlane) / minutes).toFixed(3)}), ffmpeg -c copy -f hls ${(ffmpegCpu / minutes).toFixed(3)}`,
      );
    }
    for (const relay of relays) relay.stop();
    for (let i = 0; i < STREAMS; i++)
      await fetch(`${system.apiUrl}/api/v1/streams/${protocol}-${i}`, { method: 'DELETE', headers: { Authorization: 'Bearer bench' } });
    const o = stats(oursRuns);
    const f = stats(ffmpegRuns);
    console.log(`${protocol} ours: ${fmt(o)} CPU s per stream-minute`);
    console.log(`${protocol} ffmpeg (-c copy -f hls): ${fmt(f)} CPU s per stream-minute`);
    summaries.push({ protocol, ours: o.median, ffmpeg: f.median });
  }
  console.log('goal: ratio <= 1.0 for every protocol; RIST: nothing unrecoverable at 5 % loss');
  const worst = Math.max(...summaries.map((s) => s.ours / s.ffmpeg));
  console.log(
    `summary: ${summaries.map((s) => `${s.protocol} ours ${s.ours.toFixed(3)} vs ffmpeg ${s.ffmpeg.toFixed(3)} (${(s.ours / s.ffmpeg).toFixed(3)})`).join(', ')} CPU s per stream-minute, ratio=${worst.toFixed(3)}`,
  );
} finally {
  await system.stop();
  await rm(work, { recursive: true, force: true });
}
