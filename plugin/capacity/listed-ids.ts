/**
 * WeCom's list of an account's customers, kept from the list call until the page of accounts is
 * written: only "is this customer in it" is asked of it then, for the few customers with recent
 * callback events. A sorted array of 32-bit hashes answers that in 4 bytes an id (a page of 500
 * accounts of 5,000 customers is 10 MB instead of hundreds as strings); a false "yes" has a
 * probability of about n / 2^32 per question, and the next reconcile corrects it.
 */
export interface ListedIds {
  readonly size: number;
  has(externalUserid: string): boolean;
  /** Every id's hash (the enterprise-wide distinct count is estimated from them). */
  forEachHash(fn: (hash: number) => void): void;
}

/** FNV-1a over the UTF-16 code units (external_userid values are ASCII). */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function listedIds(ids: readonly string[]): ListedIds {
  const hashes = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i += 1) hashes[i] = hash(ids[i]);
  hashes.sort();
  return {
    size: ids.length,
    forEachHash(fn) {
      for (let i = 0; i < hashes.length; i += 1) fn(hashes[i]);
    },
    has(id) {
      const wanted = hash(id);
      let low = 0;
      let high = hashes.length - 1;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        if (hashes[mid] === wanted) return true;
        if (hashes[mid] < wanted) low = mid + 1;
        else high = mid - 1;
      }
      return false;
    },
  };
}
