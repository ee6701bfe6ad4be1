import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from './api.js';
import { rate, TimeChart } from './charts.js';
import { CopyField } from './copy-field.js';
import { bitrate, ms } from './format.js';
import * as live from './live.js';
import { go } from './nav.js';
import { Preview } from './preview.js';
import type { IngestUrls, Sample, Stream } from './types.js';

/** Where viewers play: this host, the port the control plane's page tells (the edge when there is one). */
function playbackUrl(stream: Stream, token: string | null): string {
  const port = document.querySelector<HTMLMetaElement>('meta[name="hls-playback-port"]')?.content ?? '8080';
  return `${location.protocol}//${location.hostname}:${port}${stream.playbackPath}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

const CHARTS = {
  bitrate: [{ label: 'input', color: '#4fc3f7', value: (s: Sample) => s.inputBitrate / 1e6 }],
  loss: [
    { label: 'lost', color: '#ffb74d', dash: [6, 4], value: rate((s) => s.lost) },
    { label: 'recovered by FEC', color: '#81c784', value: rate((s) => s.recoveredByFec) },
    { label: 'unrecoverable', color: '#e57373', value: rate((s) => s.unrecoverable) },
  ],
  timing: [
    { label: 'jitter (RFC 3550)', color: '#ba68c8', value: (s: Sample) => s.jitterMs },
    { label: 'playout delay', color: '#90a4ae', value: (s: Sample) => s.playoutDelayMs },
  ],
  segments: [{ label: 'segments written', color: '#fff176', value: (s: Sample) => s.segmentsWritten }],
  viewers: [{ label: 'viewers', color: '#4dd0e1', value: (s: Sample) => s.viewers }],
  viewerBuffer: [{ label: 'mean buffer length', color: '#aed581', value: (s: Sample) => (s.viewerBufferMs === null ? null : s.viewerBufferMs / 1000) }],
  viewerThroughput: [
    { label: 'mean measured throughput', color: '#f48fb1', value: (s: Sample) => (s.viewerThroughputKbps === null ? null : s.viewerThroughputKbps / 1000) },
  ],
};

const RUNG_COLORS = ['#4fc3f7', '#81c784', '#ffb74d', '#ba68c8', '#e57373', '#fff176'];

/** One series per encoded rung, by the names the latest sample carries. */
function rungSeries(names: string[]) {
  return names.map((name, i) => ({ label: name, color: RUNG_COLORS[i % RUNG_COLORS.length], value: (s: Sample) => s.rungSsim?.[name] ?? null }));
}

export function StreamPage(props: { admin: boolean; streamKey: string }) {
  const key = props.streamKey;
  const [stream, setStream] = useState<Stream | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [urls, setUrls] = useState<IngestUrls | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [samples, setSamples] = useState<Sample[]>(live.samplesOf(key));
  const [token, setToken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const answer = await api<Stream>('GET', `/api/v1/streams/${encodeURIComponent(key)}`);
      setStream(answer.body);
      setEtag(answer.etag);
      setUrls((await api<IngestUrls>('GET', `/api/v1/streams/${encodeURIComponent(key)}/ingest-urls?host=${encodeURIComponent(location.hostname)}`)).body);
    } catch (e) {
      setError(e instanceof ApiFailure && e.status === 404 ? `There is no stream "${key}".` : (e as Error).message);
    }
  };

  useEffect(() => {
    void load();
    live.loadHistory(key).then(
      (list) => setSamples([...list]),
      () => undefined,
    );
    return live.subscribe((event) => {
      if (event.type === 'status' && event.key === key) setSamples([...live.samplesOf(key)]);
      if (event.type === 'config' && event.entity === 'stream' && event.ref === key) void load();
    });
  }, [key]);

  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(
        e instanceof ApiFailure && e.status === 412
          ? 'Someone else changed this stream meanwhile; it has been reloaded: check it and try again.'
          : (e as Error).message,
      );
      if (e instanceof ApiFailure && e.status === 412) await load();
    } finally {
      setBusy(false);
    }
  };
  const toggle = () =>
    act(async () => {
      const answer = await api<Stream>('PATCH', `/api/v1/streams/${encodeURIComponent(key)}`, {
        body: { enabled: !stream!.enabled },
        ifMatch: etag ?? undefined,
      });
      setStream(answer.body);
      setEtag(answer.etag);
    });
  const remove = () =>
    act(async () => {
      if (!confirm(`Delete stream "${key}" and its files?`)) return;
      await api('DELETE', `/api/v1/streams/${encodeURIComponent(key)}`, { ifMatch: etag ?? undefined });
      go('streams');
    });
  const sign = () =>
    act(async () => {
      const { body } = await api<{ token: string }>('POST', `/api/v1/streams/${encodeURIComponent(key)}/tokens`, { body: { expiresInSeconds: 3600 } });
      setToken(body.token);
    });

  if (error && !stream) {
    return (
      <main>
        <p class="error" role="alert">
          {error}
        </p>
        <a href="#/streams">Back to streams</a>
      </main>
    );
  }
  if (!stream) return <main aria-busy="true">Loading...</main>;
  const last = samples.at(-1);
  const rungNames = Object.keys(samples.findLast((s) => s.rungSsim !== null)?.rungSsim ?? {});
  const signed = stream.playback.signedUrls;
  const src = signed && !token ? null : playbackUrl(stream, token);

  return (
    <main>
      <div class="page-head">
        <h1>
          {stream.name} <span class="sub">({stream.key})</span>
        </h1>
        {props.admin && (
          <div class="actions">
            <a class="button" href={`#/streams/${encodeURIComponent(key)}/edit`}>
              Edit
            </a>
            <button type="button" class="secondary" onClick={toggle} disabled={busy}>
              {stream.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" class="danger" onClick={remove} disabled={busy}>
              Delete
            </button>
          </div>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="figures" data-testid="figures">
        <span>
          state <strong>{stream.enabled ? (last?.state ?? 'idle') : 'disabled'}</strong>
        </span>
        <span>
          input <strong>{last ? bitrate(last.inputBitrate) : '-'}</strong>
        </span>
        <span>
          lost / recovered / unrecoverable <strong>{last ? `${last.lost} / ${last.recoveredByFec} / ${last.unrecoverable}` : '-'}</strong>
        </span>
        <span>
          jitter <strong>{last ? ms(last.jitterMs) : '-'}</strong>
        </span>
        <span>
          protocol <strong>{stream.ingest.protocol.toUpperCase()}</strong>
          {stream.packaging.lowLatency ? ' · LL-HLS' : ''}
        </span>
      </p>
      <div class="two-columns">
        <section aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          {src ? (
            <Preview src={src} lowLatency={stream.packaging.lowLatency} />
          ) : (
            <p>
              Playback is signed.{' '}
              {props.admin ? (
                <button type="button" onClick={sign} disabled={busy}>
                  Make a signed URL (1 hour)
                </button>
              ) : (
                'An admin key can make a signed URL.'
              )}
            </p>
          )}
          {src && <CopyField label="Playback URL" value={src} testId="playback-url" />}
        </section>
        <section aria-labelledby="send-title">
          <h2 id="send-title">Send to this stream</h2>
          {urls ? (
            <>
              <CopyField label={`${urls.protocol.toUpperCase()} URL`} value={urls.url} testId="ingest-url" />
              <CopyField label="ffmpeg" value={urls.ffmpeg} testId="ingest-ffmpeg" />
              <CopyField label="GStreamer" value={urls.gstreamer} testId="ingest-gstreamer" />
              {urls.obs && (
                <>
                  <CopyField label="OBS server" value={urls.obs.server} />
                  <CopyField label="OBS stream key" value={urls.obs.streamKey} />
                </>
              )}
              {urls.srtLiveTransmit && <CopyField label="srt-live-transmit" value={urls.srtLiveTransmit} />}
              <ul class="notes">
                {urls.notes.map((n) => (
                  <li>{n}</li>
                ))}
              </ul>
            </>
          ) : (
            <p aria-busy="true">Loading...</p>
          )}
        </section>
      </div>
      <h2>Last 10 minutes</h2>
      <div class="charts">
        <TimeChart title="Input bitrate (Mbit/s)" unit="Mbit/s" samples={samples} series={CHARTS.bitrate} testId="chart-bitrate" />
        <TimeChart title="Packets per second: lost, recovered by FEC, unrecoverable" samples={samples} series={CHARTS.loss} testId="chart-loss" />
        <TimeChart title="Jitter and playout delay (ms)" unit="ms" samples={samples} series={CHARTS.timing} testId="chart-timing" />
        <TimeChart title="Segments written (total)" samples={samples} series={CHARTS.segments} testId="chart-segments" />
        {rungNames.length > 0 && (
          <TimeChart
            key={rungNames.join(',')}
            title="Rung quality: SSIM against the source (1 = identical)"
            samples={samples}
            series={rungSeries(rungNames)}
            testId="chart-quality"
          />
        )}
      </div>
      <h2>Viewers (CMCD, from the edges)</h2>
      {samples.some((s) => s.viewers !== null) ? (
        <div class="charts">
          <TimeChart title="Viewers" samples={samples} series={CHARTS.viewers} testId="chart-viewers" />
          <TimeChart title="Viewers' buffer length (s)" unit="s" samples={samples} series={CHARTS.viewerBuffer} testId="chart-viewer-buffer" />
          <TimeChart
            title="Viewers' measured throughput (Mbit/s)"
            unit="Mbit/s"
            samples={samples}
            series={CHARTS.viewerThroughput}
            testId="chart-viewer-throughput"
          />
        </div>
      ) : (
        <p class="sub">
          No viewer figures yet: players are counted at the edges from the CMCD they send (hls.js sends it with <code>cmcd</code> set; the player page does),
          read from each enabled edge's log every 2 s.
        </p>
      )}
    </main>
  );
}
