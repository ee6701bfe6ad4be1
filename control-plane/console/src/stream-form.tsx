// Create and edit a stream. The API is the one judge of what is valid: the form sends what was
// typed (no browser validation in the way) and shows each 400's messages beside the field they
// name; an edit sends If-Match, and a 412 says someone else changed the stream meanwhile.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, FieldProblem } from './api.js';
import { go } from './nav.js';
import type { Protocol, Stream } from './types.js';

interface FormState {
  key: string;
  name: string;
  enabled: boolean;
  protocol: Protocol;
  port: string;
  fec: boolean;
  fecColumns: string;
  fecRows: string;
  srtLatencyMs: string;
  ristBufferMs: string;
  segmentSeconds: string;
  lowLatency: boolean;
  dvrSeconds: string;
}

const EMPTY: FormState = {
  key: '',
  name: '',
  enabled: true,
  protocol: 'srt',
  port: '',
  fec: true,
  fecColumns: '5',
  fecRows: '10',
  srtLatencyMs: '',
  ristBufferMs: '',
  segmentSeconds: '',
  lowLatency: false,
  dvrSeconds: '',
};

function fromStream(s: Stream): FormState {
  return {
    key: s.key,
    name: s.name,
    enabled: s.enabled,
    protocol: s.ingest.protocol,
    port: s.ingest.port === null ? '' : String(s.ingest.port),
    fec: s.ingest.fec !== null,
    fecColumns: String(s.ingest.fec?.columns ?? 5),
    fecRows: String(s.ingest.fec?.rows ?? 10),
    srtLatencyMs: s.ingest.srt ? String(s.ingest.srt.latencyMs) : '',
    ristBufferMs: s.ingest.rist ? String(s.ingest.rist.bufferMs) : '',
    segmentSeconds: String(s.packaging.segmentSeconds),
    lowLatency: s.packaging.lowLatency,
    dvrSeconds: String(s.packaging.dvrSeconds),
  };
}

/** A typed number as sent ("" is left out so the API's default applies; anything else goes as typed). */
function num(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function bodyOf(f: FormState): Record<string, unknown> {
  const p = f.protocol;
  return {
    key: f.key.trim(),
    name: f.name,
    enabled: f.enabled,
    ingest: {
      protocol: p,
      ...(p === 'rtmp' ? {} : { port: num(f.port) }),
      fec: p === 'rtp' && f.fec ? { columns: num(f.fecColumns), rows: num(f.fecRows) } : null,
      ...(p === 'srt' && num(f.srtLatencyMs) !== undefined ? { srt: { latencyMs: num(f.srtLatencyMs) } } : {}),
      ...(p === 'rist' && num(f.ristBufferMs) !== undefined ? { rist: { bufferMs: num(f.ristBufferMs) } } : {}),
    },
    packaging: { segmentSeconds: num(f.segmentSeconds), lowLatency: f.lowLatency, dvrSeconds: num(f.dvrSeconds) },
  };
}

export function StreamForm(props: { admin: boolean; streamKey?: string }) {
  const editing = props.streamKey !== undefined;
  const [form, setForm] = useState<FormState>(EMPTY);
  const [etag, setEtag] = useState<string | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ label: string; value: string; key: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    if (!props.streamKey) return;
    const answer = await api<Stream>('GET', `/api/v1/streams/${encodeURIComponent(props.streamKey)}`);
    setForm(fromStream(answer.body));
    setEtag(answer.etag);
  };
  useEffect(() => {
    load().catch((e: Error) => setMessage(e.message));
  }, [props.streamKey]);

  if (!props.admin) {
    return (
      <main>
        <p role="alert">A read key cannot create or change streams.</p>
      </main>
    );
  }

  const set = (patch: Partial<FormState>) => setForm({ ...form, ...patch });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblems([]);
    setMessage(null);
    try {
      const answer = editing
        ? await api<Stream>('PATCH', `/api/v1/streams/${encodeURIComponent(props.streamKey!)}`, { body: bodyOf(form), ifMatch: etag ?? undefined })
        : await api<Stream>('POST', '/api/v1/streams', { body: bodyOf(form) });
      const s = answer.body;
      // A generated passphrase or secret is shown this once.
      if (s.ingest.srt?.passphrase) setSecret({ label: 'SRT passphrase', value: s.ingest.srt.passphrase, key: s.key });
      else if (s.ingest.rtmp?.secret) setSecret({ label: 'RTMP publish secret', value: s.ingest.rtmp.secret, key: s.key });
      else go(`streams/${encodeURIComponent(s.key)}`);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 412) {
        setMessage('Someone else changed this stream after you opened it. The form now shows their version: make your change again and save.');
        await load().catch(() => undefined);
      } else if (failure instanceof ApiFailure) {
        setProblems(failure.fields);
        setMessage(failure.message);
      } else setMessage((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (secret) {
    return (
      <main>
        <h1>Stream saved</h1>
        <p role="status">
          Note the {secret.label} now: it is not shown again. <code data-testid="secret">{secret.value}</code>
        </p>
        <a class="button" href={`#/streams/${encodeURIComponent(secret.key)}`}>
          Go to the stream
        </a>
      </main>
    );
  }

  const known = new Set([
    'key',
    'name',
    'enabled',
    'ingest.protocol',
    'ingest.port',
    'ingest.fec',
    'ingest.fec.columns',
    'ingest.fec.rows',
    'ingest.srt.latencyMs',
    'ingest.rist.bufferMs',
    'packaging.segmentSeconds',
    'packaging.lowLatency',
    'packaging.dvrSeconds',
  ]);
  const others = problems.filter((p) => !known.has(p.field));
  const field = (name: string, label: string, input: (props: Record<string, unknown>) => ComponentChildren, hint?: string) => {
    const own = problems.filter((p) => p.field === name);
    const id = `f-${name.replace(/\./g, '-')}`;
    const describedBy = [own.length ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div class={`field${own.length ? ' invalid' : ''}`}>
        <label for={id}>{label}</label>
        {input({ id, name, 'aria-invalid': own.length ? 'true' : undefined, 'aria-describedby': describedBy })}
        {hint && (
          <p class="hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
        {own.length > 0 && (
          <p class="field-error" id={`${id}-error`} data-field={name}>
            {own.map((p) => p.message).join('; ')}
          </p>
        )}
      </div>
    );
  };
  // Numbers are typed as text (inputmode numeric): sent as typed, so the API's message is what a bad value gets.
  const text =
    (key: keyof FormState, numeric = false) =>
    (attrs: Record<string, unknown>) => (
      <input
        {...attrs}
        type="text"
        inputMode={numeric ? 'numeric' : undefined}
        value={form[key] as string}
        onInput={(e) => set({ [key]: (e.target as HTMLInputElement).value } as Partial<FormState>)}
      />
    );
  const check = (key: keyof FormState) => (attrs: Record<string, unknown>) => (
    <input
      {...attrs}
      type="checkbox"
      checked={form[key] as boolean}
      onChange={(e) => set({ [key]: (e.target as HTMLInputElement).checked } as Partial<FormState>)}
    />
  );
  const p = form.protocol;

  return (
    <main>
      <h1>{editing ? `Edit ${props.streamKey}` : 'New stream'}</h1>
      {message && (
        <p class="error" role="alert" data-testid="form-message">
          {message}
          {others.length > 0 && `: ${others.map((o) => `${o.field} ${o.message}`).join('; ')}`}
        </p>
      )}
      <form onSubmit={submit} noValidate class="stream-form">
        {field('key', 'Key (used in URLs)', text('key'), 'lower-case letters, digits and dashes')}
        {field('name', 'Name', text('name'))}
        {field('ingest.protocol', 'Protocol', (attrs) => (
          <select {...attrs} value={p} onChange={(e) => set({ protocol: (e.target as HTMLSelectElement).value as Protocol })}>
            <option value="srt">SRT (OBS, ffmpeg)</option>
            <option value="rtmp">RTMP (OBS)</option>
            <option value="rist">RIST (Simple Profile)</option>
            <option value="rtp">RTP (with FEC)</option>
            <option value="udp">UDP MPEG-TS</option>
          </select>
        ))}
        {p !== 'rtmp' && field('ingest.port', 'UDP port', text('port', true), p === 'rist' ? 'even; RTCP takes the next one' : undefined)}
        {p === 'rtp' && field('ingest.fec', 'FEC on (SMPTE 2022-1)', check('fec'))}
        {p === 'rtp' && form.fec && field('ingest.fec.columns', 'FEC columns (L)', text('fecColumns', true))}
        {p === 'rtp' && form.fec && field('ingest.fec.rows', 'FEC rows (D)', text('fecRows', true))}
        {p === 'srt' &&
          field('ingest.srt.latencyMs', 'SRT latency (ms)', text('srtLatencyMs', true), '120 when empty; at least 4 x the round trip across the internet')}
        {p === 'rist' && field('ingest.rist.bufferMs', 'RIST buffer (ms)', text('ristBufferMs', true), '1000 when empty')}
        {field('packaging.segmentSeconds', 'Segment seconds', text('segmentSeconds', true), 'the default when empty (4, or 2 with low latency)')}
        {field('packaging.lowLatency', 'Low-Latency HLS (CMAF parts)', check('lowLatency'))}
        {field('packaging.dvrSeconds', 'DVR window (seconds)', text('dvrSeconds', true), '0 or empty: live window only')}
        {field('enabled', 'Enabled', check('enabled'))}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {editing ? 'Save' : 'Create stream'}
          </button>
          <a class="button secondary" href={editing ? `#/streams/${encodeURIComponent(props.streamKey!)}` : '#/streams'}>
            Cancel
          </a>
        </div>
      </form>
    </main>
  );
}
