/** English for <wss-store-entry>; ids match its msg() calls. */
export const storeEntryEn = {
  'entry.open': 'Add store service',
  'entry.hint': 'Your own store advisor on WeCom',
};
