/** Small formatting helpers shared by the pages. */
import type { HealthState } from './api';

export const STATE_LABEL: Record<HealthState, string> = {
  healthy: 'Healthy',
  warning: 'Warning',
  degraded: 'Degraded',
  critical: 'Critical',
  down: 'Down',
};

/** A shape per state as well as a colour, so colour is never the only signal. */
export const STATE_ICON: Record<HealthState, string> = {
  healthy: '●',
  warning: '▲',
  degraded: '◆',
  critical: '■',
  down: '✕',
};

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

export function duration(msValue: number | null): string {
  if (msValue === null) return '—';
  if (msValue < 1000) return `${Math.round(msValue)} ms`;
  return `${(msValue / 1000).toFixed(1)} s`;
}
