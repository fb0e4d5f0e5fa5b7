import { str } from '@lit/localize';

/** English for strings shared by several elements. */
export const commonEn = {
  'common.error': str`Could not load: ${0}`,
  'common.fill': str`Customers ${0} / ${1} (${2}%)`,
  'common.role.backup': 'Backup',
  'common.role.primary': 'Primary',
  'common.role.retired': 'Retired',
  'common.status.active': 'Active',
  'common.status.disabled': 'Disabled',
  'common.status.inactive': 'Not activated',
  'common.status.left': 'Left the company',
  'common.status.unknown': 'Status unknown',
  'common.storeListMore': str`${0} and ${1} stores in all`,
  'confirm.cancel': 'Cancel',
};
