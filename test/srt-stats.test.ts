import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addLogLine, addStatsLine, newSrtStatus } from '../control-plane/src/ingest/srt/srt-stats.js';
import { srtListenerArgs } from '../control-plane/src/ingest/srt/srt-listener.js';

/** Lines as srt-live-transmit 1.5.1 printed them here (-pf:json statistics; stderr messages). */
const STATS = (packets: number, lost: number, retransmitted: number, dropped: number, rtt: number) =>
  JSON.stringify({
    sid: 902716170,
    timepoint: '2026-12-03T11:46:13.215464+0000',
    time: 1366,
    window: { flow: 8192, congestion: 8192, flight: 0 },
    link: { rtt, bandwidth: 11.772, maxBandwidth: 1000 },
    send: { packets: 0, packetsLost: 0, packetsRetransmitted: 0 },
    recv: {
      packets,
      packetsUnique: packets,
      packetsLost: lost,
      packetsDropped: dropped,
      packetsRetransmitted: retransmitted,
      packetsBelated: 0,
      bytes: packets * 1316,
      msBuf: 74,
      mbitRate: 0.7408,
      msTsbPdDelay: 120,
    },
  });

describe('SRT status from srt-live-transmit', () => {
  it('sums the per-report statistics and keeps the latest figures', () => {
    const s = newSrtStatus();
    assert.equal(addStatsLine(s, STATS(108, 5, 4, 0, 0.196)), true);
    assert.equal(addStatsLine(s, STATS(100, 3, 3, 1, 0.297)), true);
    assert.equal(s.packetsReceived, 208);
    assert.equal(s.packetsLost, 8);
    assert.equal(s.packetsRetransmitted, 7);
    assert.equal(s.packetsDropped, 1);
    assert.equal(s.rttMs, 0.297);
    assert.equal(s.latencyMs, 120);
    assert.equal(s.receiveBufferMs, 74);
    // What is not a statistics line changes nothing.
    for (const junk of ['', 'Accepted SRT source connection', '{"recv":', '{"link":{}}', '{broken']) assert.equal(addStatsLine(s, junk), false, junk);
    assert.equal(s.packetsReceived, 208);
    // Negative or absent counters count as nothing.
    addStatsLine(s, JSON.stringify({ recv: { packets: -5, packetsLost: 'x' } }));
    assert.equal(s.packetsReceived, 208);
    assert.equal(s.packetsLost, 8);
  });

  it('follows the listener through its messages: listening, a sender, its leaving, a refusal', () => {
    const s = newSrtStatus();
    assert.equal(s.state, 'starting');
    assert.deepEqual(addLogLine(s, "Media path: 'srt://:19000?mode=listener&passphrase=x' --> 'udp://127.0.0.1:19100'"), { kind: 'listening' });
    assert.equal(s.state, 'listening');
    assert.deepEqual(addLogLine(s, 'Accepted SRT source connection'), { kind: 'connected' });
    assert.equal(s.state, 'connected');
    assert.equal(s.connections, 1);
    assert.deepEqual(addLogLine(s, 'SRT source disconnected'), { kind: 'disconnected' });
    assert.equal(s.state, 'listening');
    const reject = '11:46:17.033054/SRT:RcvQ:w1!W:SRT.cn: processConnectRequest: rsp(REJECT): 1010 - Incorrect passphrase';
    assert.deepEqual(addLogLine(s, reject), { kind: 'rejected', reason: 'Incorrect passphrase' });
    assert.equal(s.rejected, 1);
    assert.equal(s.lastRejection, 'Incorrect passphrase');
    // libsrt's other lines about the same refusal are not counted twice.
    addLogLine(s, '11:46:17.033042/SRT:RcvQ:w1!W:SRT.cn: @902716168:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:BADSECRET');
    addLogLine(s, '11:46:17.033101/SRT:RcvQ:w1.N:SRT.cn: listen ret: 1010 - ERROR:BADSECRET');
    assert.equal(s.rejected, 1);
    assert.equal(addLogLine(s, 'something else'), null);
  });

  it('starts an encrypted listener on the stream port, the TS to stdout, JSON statistics to the given file', () => {
    const args = srtListenerArgs({ port: 9000, passphrase: 'abcdefghij', latencyMs: 250 }, '/tmp/x/lines.fifo');
    assert.equal(args[0], 'srt://:9000?mode=listener&passphrase=abcdefghij&latency=250&enforcedencryption=true');
    assert.equal(args[1], 'file://con');
    assert.ok(args.includes('-pf:json') && args.includes('-a:yes') && args.includes('-statsout:/tmp/x/lines.fifo'));
  });
});
