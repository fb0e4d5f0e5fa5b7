import type { WecomClient } from '../wecom/index.js';

/** The slice of the plugin's WeCom client the binding workflow calls. */
export type BindingsWecomApi = Pick<WecomClient, 'getUser' | 'listExternalContacts' | 'addContactWay' | 'updateContactWay' | 'delContactWay'>;
