// Charts are uPlot (canvas, made for live time series): a component that makes the plot once and
// feeds it new data as samples arrive, and the per-second rates the counters become.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Sample } from './types.js';

export interface SeriesSpec {
  label: string;
  color: string;
  /** Dashed, for a series another often covers exactly (lost under recovered). */
  dash?: number[];
  /** The value at `s`; `prev` is the sample before it (for rates); null leaves a gap. */
  value: (s: Sample, prev: Sample | undefined) => number | null;
}

/** Per second, from a cumulative counter: what changed between two samples over their distance in time. */
export function rate(pick: (s: Sample) => number): SeriesSpec['value'] {
  return (s, prev) => {
    if (!prev || s.t <= prev.t) return null;
    const delta = pick(s) - pick(prev);
    return delta < 0 ? null : (delta * 1000) / (s.t - prev.t);
  };
}

function columns(samples: Sample[], series: SeriesSpec[]): uPlot.AlignedData {
  const times = samples.map((s) => s.t / 1000);
  const values = series.map((spec) => samples.map((s, i) => spec.value(s, samples[i - 1])));
  return [times, ...values] as uPlot.AlignedData;
}

/** The newest value of each series, in words: what a screen reader gets instead of the canvas. */
function summary(title: string, samples: Sample[], series: SeriesSpec[], unit: string): string {
  if (samples.length === 0) return `${title}: no samples yet`;
  const last = samples.length - 1;
  const values = series.map((spec) => {
    const v = spec.value(samples[last], samples[last - 1]);
    return `${spec.label} ${v === null ? 'n/a' : Math.round(v * 100) / 100}${unit ? ` ${unit}` : ''}`;
  });
  return `${title}, latest: ${values.join(', ')}`;
}

export function TimeChart(props: { title: string; samples: Sample[]; series: SeriesSpec[]; unit?: string; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { title, samples, series, unit = '', height = 180 } = props;

  useEffect(() => {
    const el = box.current!;
    const made = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: s.dash ? 2.5 : 1.5, dash: s.dash, spanGaps: false }))],
        axes: [{ stroke: '#aab' }, { stroke: '#aab', size: 60 }],
        scales: { x: { time: true } },
        legend: { show: true },
      },
      columns(samples, series),
      el,
    );
    plot.current = made;
    const resize = new ResizeObserver(() => made.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      made.destroy();
      plot.current = null;
    };
    // The plot is made once per chart; data updates go through setData below.
  }, []);

  useEffect(() => {
    plot.current?.setData(columns(samples, series));
  }, [samples]);

  // What each series adds up to over the window: for automated checks (did the FEC chart show recoveries?).
  const sums = Object.fromEntries(series.map((spec) => [spec.label, samples.reduce((sum, s, i) => sum + (spec.value(s, samples[i - 1]) ?? 0), 0)]));
  return (
    <figure class="chart" data-testid={props.testId} data-points={samples.length} data-sums={JSON.stringify(sums)}>
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={summary(title, samples, series, unit)} />
    </figure>
  );
}

/** A small line of the input bitrate for a table row. */
export function Sparkline(props: { samples: Sample[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = (): uPlot.AlignedData => [props.samples.map((s) => s.t / 1000), props.samples.map((s) => s.inputBitrate)];

  useEffect(() => {
    const made = new uPlot(
      {
        width: 120,
        height: 28,
        series: [{}, { stroke: '#4fc3f7', width: 1, fill: 'rgba(79,195,247,0.15)' }],
        axes: [{ show: false }, { show: false }],
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true } },
      },
      data(),
      box.current!,
    );
    plot.current = made;
    return () => made.destroy();
  }, []);

  useEffect(() => {
    plot.current?.setData(data());
  }, [props.samples.length, props.samples[props.samples.length - 1]?.t]);

  return <div class="sparkline" ref={box} role="img" aria-label={props.label} />;
}
