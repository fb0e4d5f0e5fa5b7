import { apiFetch } from './api.js';
import type { MeBody } from '../../plugin/contract/index.js';

/**
 * Times as the users read them: "2026-12-02 12:43" in the plugin's configured time zone (from
 * `/me`), whatever the browser's own zone. Elements await `timeZoneReady()` before their first load.
 */
let zone = 'Asia/Shanghai';
let loading: Promise<void> | null = null;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function useTimeZone(timeZone: string): void {
  zone = timeZone;
}

export function timeZoneReady(apiBase: string): Promise<void> {
  loading ??= apiFetch<MeBody>(apiBase, '/me')
    .then((me) => useTimeZone(me.timezone ?? zone))
    .catch(() => {
      loading = null;
    });
  return loading;
}

function parts(at: Date): Record<string, string> {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

/** "2026-12-02 12:43"; empty for a missing value. */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const p = parts(at);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Today's day in the configured zone, 'YYYY-MM-DD'. */
export function localDay(at = new Date()): string {
  const p = parts(at);
  return `${p.year}-${p.month}-${p.day}`;
}
