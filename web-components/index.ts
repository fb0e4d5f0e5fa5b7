/** Every element the manifest declares; the host loads this one bundle. */
export { WssStoreList } from './store-list/store-list.js';
