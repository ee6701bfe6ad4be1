// What a sender needs to feed a stream, per protocol: the URL, a complete ffmpeg line and a
// GStreamer pipeline (each tried against this server), for SRT and RTMP the OBS settings, for SRT a
// srt-live-transmit line. The SRT passphrase and RTMP secret
// are never repeated here (they are shown once, when set): the lines carry PASSPHRASE or SECRET
// for the sender to fill in.
import type { StreamResponse } from './dto/stream-response.dto.js';
import type { IngestUrls } from './ingest-urls-shape.js';

export type { IngestUrls };

/** The placeholder the lines carry where the stream's SRT passphrase goes. */
export const PASSPHRASE_PLACEHOLDER = 'PASSPHRASE';
/** The placeholder the lines carry where the stream's RTMP publish secret goes. */
export const SECRET_PLACEHOLDER = 'SECRET';
/** The RTMP application every stream publishes under (nginx/rtmp.conf.template). */
export const RTMP_APPLICATION = 'live';

/** `rtmpPort`: the one RTMP port of this installation (RTMP_PORT). */
export function ingestUrls(stream: StreamResponse, host: string, rtmpPort: number): IngestUrls {
  const { protocol, port, fec, srt } = stream.ingest;
  const gop = `-g ${Math.round(stream.packaging.segmentSeconds * 30)} -keyint_min ${Math.round(stream.packaging.segmentSeconds * 30)} -sc_threshold 0`;
  const input = `ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 -c:v libx264 -preset veryfast -tune zerolatency ${gop} -b:v 3000k -c:a aac -b:a 128k`;
  const notes = [`Send a keyframe every ${stream.packaging.segmentSeconds} s (segmentSeconds): segments start at keyframes.`];
  const gst = gstreamerLine(Math.round(stream.packaging.segmentSeconds * 30));
  if (protocol === 'srt' && srt) {
    // ffmpeg's and OBS's libsrt URLs take latency in microseconds; srt-live-transmit's in ms.
    const url = `srt://${host}:${port}?passphrase=${PASSPHRASE_PLACEHOLDER}&latency=${srt.latencyMs * 1000}&pkt_size=1316`;
    return {
      protocol,
      url,
      ffmpeg: `${input} -f mpegts "${url}"`,
      gstreamer: gst(TS_MUX, `srtsink uri="srt://${host}:${port}?mode=caller" passphrase=${PASSPHRASE_PLACEHOLDER} latency=${srt.latencyMs}`),
      obs: { server: url, streamKey: '' },
      srtLiveTransmit: `srt-live-transmit udp://:1234 "srt://${host}:${port}?passphrase=${PASSPHRASE_PLACEHOLDER}&latency=${srt.latencyMs}"`,
      notes: [
        ...notes,
        `${PASSPHRASE_PLACEHOLDER}: the stream's passphrase, shown once when it was set (set a new one with PATCH ingest.srt.passphrase).`,
        'One sender at a time: while one is connected another is not answered; a sender that leaves can call again.',
      ],
    };
  }
  if (protocol === 'rtmp') {
    const server = `rtmp://${host}:${rtmpPort}/${RTMP_APPLICATION}`;
    const streamKey = `${stream.key}?secret=${SECRET_PLACEHOLDER}`;
    return {
      protocol,
      url: server,
      ffmpeg: `${input} -f flv "${server}/${streamKey}"`,
      gstreamer: gst('flvmux name=mux streamable=true', `rtmp2sink location="${server}/${streamKey}"`),
      obs: { server, streamKey },
      srtLiveTransmit: null,
      notes: [
        `OBS: Settings > Output > Keyframe Interval ${stream.packaging.segmentSeconds} s; video H.264, audio AAC (they are packaged as sent, not re-encoded).`,
        `${SECRET_PLACEHOLDER}: the stream's publish secret, shown once when it was set (set a new one with PATCH ingest.rtmp.secret).`,
        'One publisher at a time: a second one for the same key is refused while the first is live; one that drops can publish again at once.',
      ],
    };
  }
  if (port === null) throw new Error(`stream ${stream.key}: protocol ${protocol} without a port`);
  if (protocol === 'rist' && stream.ingest.rist) {
    const url = `rist://${host}:${port}`;
    const bufferMs = stream.ingest.rist.bufferMs;
    return {
      protocol,
      url,
      // The sender keeps what it sent for as long as we may ask for it again: the same buffer.
      ffmpeg: `${input} -f mpegts -rist_profile simple -buffer_size ${bufferMs} ${url}`,
      gstreamer: gst(TS_MUX, `rtpmp2tpay ! ristsink address=${host} port=${port} sender-buffer=${bufferMs}`),
      obs: null,
      srtLiveTransmit: null,
      notes: [
        ...notes,
        `RIST Simple Profile: RTP to port ${port}, RTCP to and from port ${port + 1}. ristsender: ristsender -p 0 -i udp://@127.0.0.1:1234 -o "${url}?buffer=${bufferMs}"`,
        `Missing packets are asked for again (RTCP NACKs) for up to ${bufferMs} ms (ingest.rist.bufferMs), which is also the playout delay.`,
      ],
    };
  }
  if (protocol === 'rtp') {
    const url = `rtp://${host}:${port}`;
    const fecArgs = fec ? ` -fec prompeg=l=${fec.columns}:d=${fec.rows}` : '';
    const fecNote = fec
      ? [`FEC goes to ports ${port + 2} (columns) and ${port + 4} (rows). GStreamer has no SMPTE 2022-1 sender: its pipeline sends the media unprotected.`]
      : [];
    return {
      protocol,
      url,
      ffmpeg: `${input} -f rtp_mpegts${fecArgs} ${url}`,
      gstreamer: gst(TS_MUX, `rtpmp2tpay ! udpsink host=${host} port=${port}`),
      obs: null,
      srtLiveTransmit: null,
      notes: [...notes, ...fecNote],
    };
  }
  const url = `udp://${host}:${port}?pkt_size=1316`;
  return {
    protocol,
    url,
    ffmpeg: `${input} -f mpegts "${url}"`,
    gstreamer: gst(TS_MUX, `udpsink host=${host} port=${port}`),
    obs: null,
    srtLiveTransmit: null,
    notes,
  };
}

/** MPEG-TS in 1316-byte buffers (7 packets), as one datagram or one RTP payload carries them. */
const TS_MUX = 'mpegtsmux name=mux alignment=7';

/**
 * gst-launch-1.0 with the ffmpeg line's test pattern: 720p30 H.264 (I420, so High profile, which
 * browsers play; videotestsrc's default format would make x264 choose 4:4:4) with a keyframe every
 * `gopFrames`, AAC audio, into `mux` and on to `sink`.
 */
function gstreamerLine(gopFrames: number): (mux: string, sink: string) => string {
  const video = `videotestsrc is-live=true ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! x264enc tune=zerolatency speed-preset=veryfast bitrate=3000 key-int-max=${gopFrames} ! h264parse ! queue ! mux.`;
  const audio = 'audiotestsrc is-live=true ! audioconvert ! voaacenc bitrate=128000 ! aacparse ! queue ! mux.';
  return (mux, sink) => `gst-launch-1.0 ${mux} ! ${sink} ${video} ${audio}`;
}
