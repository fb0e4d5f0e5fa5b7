/**
 * Filters kept in the page's URL (replaceState, no reload), so a reload or a shared link shows the
 * same list. Only the named keys are touched; the host's own query parameters stay as they are.
 */
export function readUrlFilters<K extends string>(keys: readonly K[]): Partial<Record<K, string>> {
  if (typeof location === 'undefined') return {};
  const search = new URLSearchParams(location.search);
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = search.get(key);
    if (value !== null && value !== '') out[key] = value;
  }
  return out;
}

export function writeUrlFilters(values: Record<string, string | number | boolean | null | undefined>): void {
  if (typeof location === 'undefined') return;
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === '' || value === false || (key === 'page' && Number(value) === 1)) url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  if (url.href !== location.href) history.replaceState(history.state, '', url);
}
