import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReceiverReport, parseRtcp } from '../control-plane/src/ingest/rist/rtcp.js';

/**
 * What ffmpeg's librist sender (librist 0.2.7, `-f mpegts -rist_profile simple rist://host:port`)
 * sent to port + 1, recorded here: a sender report with SDES, and a receiver report with SDES and
 * a RIST RTT echo request (APP "RIST", subtype 2).
 */
const LIBRIST_SR = '80c800066edb3e04eebbfe195b14469ea0f8286d000000000000000081ca00036edb3e040102766d00000000';
const LIBRIST_ECHO_REQUEST = '80c900016edb3e0481ca00036edb3e040102766d0000000082cc00056edb3e045249535483ab143aea58829a00000000';

describe('RIST RTCP', () => {
  it("reads librist's sender report and SDES", () => {
    assert.deepEqual(parseRtcp(Buffer.from(LIBRIST_SR, 'hex')), [
      { type: 'sr', ssrc: 0x6edb3e04, ntpSeconds: 0xeebbfe19, ntpFraction: 0x5b14469e, rtpTimestamp: 0xa0f8286d },
      { type: 'sdes', ssrc: 0x6edb3e04, cname: 'vm' },
    ]);
  });

  it("reads librist's RTT echo request", () => {
    assert.deepEqual(parseRtcp(Buffer.from(LIBRIST_ECHO_REQUEST, 'hex')), [
      { type: 'rr', ssrc: 0x6edb3e04 },
      { type: 'sdes', ssrc: 0x6edb3e04, cname: 'vm' },
      { type: 'echo-request', ssrc: 0x6edb3e04, timestampHigh: 0x83ab143a, timestampLow: 0xea58829a },
    ]);
  });

  it('refuses what is not RTCP, or lies about its length, without throwing', () => {
    const sr = Buffer.from(LIBRIST_SR, 'hex');
    assert.equal(parseRtcp(Buffer.alloc(0)), null);
    assert.equal(parseRtcp(Buffer.from('00c80006', 'hex')), null, 'version 0');
    assert.equal(parseRtcp(sr.subarray(0, 20)), null, 'cut short');
    const long = Buffer.from(sr);
    long.writeUInt16BE(200, 2);
    assert.equal(parseRtcp(long), null, 'a length past the end');
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(sr);
      junk[i % junk.length] ^= 1 + (i % 255);
      parseRtcp(junk); // must not throw
    }
  });

  it('builds a compound receiver report with a generic NACK and an echo response that parses back', () => {
    const report = buildReceiverReport({
      ssrc: 0x1234,
      cname: 'hls-origin',
      nack: { mediaSsrc: 0x6edb3e04, fci: [(103 << 16) | 0b1, 200 << 16] },
      echoResponse: { timestampHigh: 0x83ab143a, timestampLow: 0xea58829a, processingDelay: 17 },
    });
    assert.equal(report.length % 4, 0);
    assert.deepEqual(parseRtcp(report), [
      { type: 'rr', ssrc: 0x1234 },
      { type: 'sdes', ssrc: 0x1234, cname: 'hls-origin' },
      { type: 'nack', senderSsrc: 0x1234, mediaSsrc: 0x6edb3e04, fci: [(103 << 16) | 1, 200 << 16] },
      { type: 'echo-response', ssrc: 0x1234, timestampHigh: 0x83ab143a, timestampLow: 0xea58829a, processingDelay: 17 },
    ]);
    // RFC 4585 6.1: V=2, FMT=1, PT=205, length in 32-bit words minus one (header, two SSRCs, two FCI words: 5).
    const nackAt = 8 + (report.readUInt16BE(8 + 2) + 1) * 4; // after the RR and the SDES
    assert.deepEqual([...report.subarray(nackAt, nackAt + 4)], [0x81, 205, 0, 4]);
    assert.deepEqual(parseRtcp(buildReceiverReport({ ssrc: 1, cname: 'x' })), [
      { type: 'rr', ssrc: 1 },
      { type: 'sdes', ssrc: 1, cname: 'x' },
    ]);
  });
});
