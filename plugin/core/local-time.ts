/**
 * Times as people in the configured time zone read them: "2026-12-02 12:43" (seconds only where
 * an audit trail needs them). Exports and robot texts use this, never UTC ISO strings.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, at: Date): Record<string, string> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

export function formatLocalDateTime(value: Date | string | number | null | undefined, timeZone: string, opts: { seconds?: boolean } = {}): string {
  if (value === null || value === undefined || value === '') return '';
  const at = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(at.getTime())) return '';
  const p = partsIn(timeZone, at);
  const time = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  return opts.seconds ? `${time}:${p.second}` : time;
}

/**
 * `Content-Disposition` for a download named in Chinese ("门店绑定_2026-12-02.xlsx"), with an
 * ASCII fallback for clients that ignore `filename*`.
 */
export function attachmentHeader(name: string, asciiName: string, format: string): string {
  return `attachment; filename="${asciiName.replace(/[^\w.-]/g, '_')}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}.${format}`;
}
