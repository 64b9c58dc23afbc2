/** Shared pieces: the health badge, the sparkline and chart (uPlot), and a result line for actions. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HealthState, LatencySeries } from './api';
import { STATE_ICON, STATE_LABEL } from './format';

export function StateBadge({ state }: { state: HealthState | undefined }) {
  const s = state ?? 'healthy';
  return (
    <span class={`badge state-${s}`} data-state={s}>
      <span aria-hidden="true">{STATE_ICON[s]}</span> {STATE_LABEL[s]}
    </span>
  );
}

/** The x axis always spans the last hour, so a new server's few points sit at the right end. */
const lastHour = (): [number, number] => {
  const now = Date.now() / 1000;
  return [now - 3600, now];
};

function toData(series: LatencySeries | undefined): uPlot.AlignedData {
  const pts = series?.points ?? [];
  return [pts.map((p) => Date.parse(p.time) / 1000), pts.map((p) => p.latency_ms)];
}

/** A small line of the last hour's latency; the numbers are in the text beside it for screen readers. */
export function Sparkline({ series, label }: { series: LatencySeries | undefined; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!el.current) return;
    plot.current = new uPlot(
      {
        width: 160,
        height: 36,
        cursor: { show: false },
        legend: { show: false },
        scales: { x: { time: true, range: lastHour } },
        axes: [{ show: false }, { show: false }],
        series: [{}, { stroke: '#3b82f6', width: 1.5, fill: 'rgba(59,130,246,0.12)', spanGaps: true }],
      },
      toData(series),
      el.current,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => plot.current?.setData(toData(series)), [series]);
  return <div class="sparkline" ref={el} role="img" aria-label={label} />;
}

/** The metrics page's latency chart: one line per region over the last hour. */
export function LatencyChart({ series }: { series: LatencySeries[] }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const names = series.map((s) => s.region).join(',');
  const colors = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626'];
  const data = (): uPlot.AlignedData => {
    const times = [...new Set(series.flatMap((s) => s.points.map((p) => Date.parse(p.time) / 1000)))].sort(
      (a, b) => a - b,
    );
    return [
      times,
      ...series.map((s) => {
        const byTime = new Map(s.points.map((p) => [Date.parse(p.time) / 1000, p.latency_ms]));
        return times.map((t) => byTime.get(t) ?? null);
      }),
    ];
  };
  useEffect(() => {
    if (!el.current) return;
    const width = Math.max(280, Math.min(1000, el.current.clientWidth || 600));
    plot.current = new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: true, range: lastHour } },
        axes: [{ stroke: '#475569' }, { stroke: '#475569', label: 'ms' }],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.region,
            stroke: colors[i % colors.length]!,
            width: 2,
            spanGaps: true,
            dash: i === 0 ? [] : i === 1 ? [6, 3] : [2, 3],
            points: { show: true, size: 5 },
          })),
        ],
      },
      data(),
      el.current,
    );
    return () => plot.current?.destroy();
  }, [names]);
  useEffect(() => plot.current?.setData(data()), [series]);
  return (
    <div
      class="chart"
      ref={el}
      role="img"
      aria-label={`Probe latency per region over the last hour: ${names}`}
    />
  );
}

export type Result = { kind: 'ok' | 'error'; text: string } | null;

export function ResultLine({ result, id }: { result: Result; id?: string }) {
  return (
    <p
      id={id}
      class={`result ${result?.kind ?? ''}`}
      role={result?.kind === 'error' ? 'alert' : 'status'}
      aria-live="polite"
    >
      {result ? result.text : ''}
    </p>
  );
}
