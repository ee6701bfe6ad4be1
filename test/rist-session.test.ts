import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReceiverReport, parseRtcp } from '../control-plane/src/ingest/rist/rtcp.js';
import { RistSession } from '../control-plane/src/ingest/rist/rist-session.js';
import { WasmReceiver } from '../wasm-core/host/receiver.js';

function rtp(seq: number, ssrc = 0x6edb3e04): Buffer {
  const packet = Buffer.alloc(12 + 188 * 7);
  packet[0] = 0x80;
  packet[1] = 33;
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE(ssrc >>> 0, 8);
  return packet;
}

/** A session whose RTCP goes into `sent`; the sender has spoken once from 192.0.2.1:5001. */
function session() {
  const sent: { datagram: Buffer; address: string; port: number }[] = [];
  const s = new RistSession({ bufferMs: 1000, window: 2048, send: (datagram, address, port) => sent.push({ datagram, address, port }) });
  s.onRtcp(buildReceiverReport({ ssrc: 0x6edb3e04, cname: 'sender' }), '192.0.2.1', 5001, 0);
  return { s, sent };
}

const nacked = (sent: { datagram: Buffer }[]) =>
  sent.flatMap(({ datagram }) => parseRtcp(datagram)!.flatMap((p) => (p.type === 'nack' ? p.fci.map((w) => w >>> 16) : [])));

describe('RIST session', () => {
  it("asks for a missing packet at the sender's RTCP address, with the media SSRC, and counts the retransmission that fills it", () => {
    const { s, sent } = session();
    s.onMedia(rtp(10), 1000);
    s.onMedia(rtp(12), 2000);
    s.tick(5000);
    assert.deepEqual(nacked(sent), [], 'within the reorder allowance');
    assert.deepEqual(
      parseRtcp(sent.at(-1)!.datagram)!.map((p) => p.type),
      ['rr', 'sdes', 'echo-request'],
      'the first report went at once, with our echo request',
    );
    s.tick(13_000);
    assert.deepEqual(nacked(sent), [11]);
    const nack = parseRtcp(sent.at(-1)!.datagram)!;
    assert.deepEqual(
      nack.map((p) => p.type),
      ['rr', 'sdes', 'nack'],
      'a compound packet: report, CNAME, the NACK',
    );
    assert.equal((nack[2] as { mediaSsrc: number }).mediaSsrc, 0x6edb3e04);
    assert.deepEqual([sent.at(-1)!.address, sent.at(-1)!.port], ['192.0.2.1', 5001]);
    const retransmission = rtp(11, 0x6edb3e05);
    s.onMedia(retransmission, 40_000);
    assert.equal(retransmission.readUInt32BE(8), 0x6edb3e04, 'put back to the stream SSRC for the receiver');
    const status = s.status();
    assert.equal(status.retransmissionsReceived, 1);
    assert.equal(status.recoveredByRetransmission, 1);
    assert.equal(status.nacksSent, 1);
  });

  it("answers the sender's echo request at once, and takes the round trip from the answer to its own", () => {
    const { s, sent } = session();
    s.onRtcp(Buffer.from('80c900016edb3e0481ca00036edb3e040102766d0000000082cc00056edb3e045249535483ab143aea58829a00000000', 'hex'), '192.0.2.1', 5001, 0);
    const answer = parseRtcp(sent.at(-1)!.datagram)!.find((p) => p.type === 'echo-response');
    assert.deepEqual(answer, { type: 'echo-response', ssrc: answer!.ssrc, timestampHigh: 0x83ab143a, timestampLow: 0xea58829a, processingDelay: 0 });
    s.onMedia(rtp(1), 3_000_000);
    s.tick(3_000_000);
    const request = parseRtcp(sent.at(-1)!.datagram)!.find((p) => p.type === 'echo-request');
    assert.ok(request && request.type === 'echo-request');
    const reply = Buffer.from(buildReceiverReport({ ssrc: 0x6edb3e04, cname: 'sender', echoResponse: { ...request, processingDelay: 0 } }));
    s.onRtcp(reply, '192.0.2.1', 5001, 3_080_000);
    assert.equal(s.status().rttMs, 80);
  });

  it('a new sender SSRC starts the requests over instead of asking for the gap between the numberings', () => {
    const { s, sent } = session();
    for (let seq = 100; seq < 110; seq++) s.onMedia(rtp(seq), seq * 1000);
    s.onMedia(rtp(40_000, 0x11110000), 200_000);
    s.onMedia(rtp(40_001, 0x11110000), 201_000);
    s.tick(300_000);
    assert.deepEqual(nacked(sent), []);
    assert.equal(s.status().senderRestarts, 1);
    assert.equal(s.status().missing, 0);
  });

  it('counts RTCP it cannot read and sends nothing before the sender has spoken', () => {
    const sent: Buffer[] = [];
    const s = new RistSession({ bufferMs: 500, window: 1024, send: (d) => sent.push(d) });
    s.onMedia(rtp(1), 0);
    s.onMedia(rtp(5), 1000);
    s.tick(100_000);
    assert.equal(sent.length, 0, 'no address to send to yet');
    s.onRtcp(Buffer.from('garbage'), '192.0.2.1', 5001, 0);
    assert.equal(s.status().rtcpMalformed, 1);
  });

  it("a retransmission trailing the newest packet by more than RFC 3550's 100 is placed, not taken for a jump", () => {
    // Found by bench:contribution: at 4 Mbit/s (380 packets a second) an answer 300 ms late
    // trails by about 115 packets, and MAX_MISORDER alone dropped it as a sequence jump.
    const receiver = new WasmReceiver({ fec: null, minDelayUs: 1_000_000, maxDelayUs: 1_000_000, reorderPackets: 1000 });
    const released: number[] = [];
    const sink = (_: Uint8Array, seq: number) => released.push(seq);
    for (let seq = 0; seq <= 300; seq++) if (seq !== 5) receiver.pushMedia(rtp(seq), seq * 2600, sink);
    receiver.pushMedia(rtp(5), 300 * 2600 + 1000, sink);
    const stats = receiver.readStats();
    assert.equal(stats.jumps, 0);
    assert.equal(stats.lost, 0);
    assert.deepEqual(released.slice(0, 8), [0, 1, 2, 3, 4, 5, 6, 7], 'the gap filled in order');
  });
});
