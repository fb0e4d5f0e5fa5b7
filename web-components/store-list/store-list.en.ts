import { str } from '@lit/localize';

/** English for <wss-store-list>; ids match its msg() calls. */
export const storeListEn = {
  'stores.branch': 'Branch',
  'stores.allBranches': 'All branches',
  'stores.binding': 'Binding',
  'stores.entry': 'Entry',
  'stores.all': 'All',
  'stores.bound': 'Bound',
  'stores.unbound': 'Unbound',
  'stores.shown': 'Shown',
  'stores.hidden': 'Hidden',
  'stores.search': 'Search store ID or name',
  'stores.id': 'Store ID',
  'stores.name': 'Store',
  'stores.status': 'Status',
  'stores.open': 'Open',
  'stores.closed': 'Closed',
  'stores.account': 'WeCom account',
  'stores.none': 'Not bound',
  'stores.empty': 'No stores match',
  'stores.loading': 'Loading…',
  'stores.total': str`${0} stores`,
  'stores.prev': 'Previous',
  'stores.next': 'Next',
  'stores.page': str`Page ${0} of ${1}`,
};
