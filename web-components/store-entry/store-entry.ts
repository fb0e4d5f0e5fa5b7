import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import '../shared/localize.js';
import { baseStyles } from '../shared/styles.js';
import { localVisitorId, trackerFor } from '../shared/tracker.js';
import { storeEntryStyles } from './store-entry.styles.js';
import type { EntryPayload } from '../../plugin/contract/index.js';

/**
 * The "add store service" entry of the order-result page. Renders nothing when the store's entry
 * is hidden (or the request fails). Records `order_result_view` once per order and store, and
 * `entry_click` on tap, then opens the guide page.
 *
 * @fires wss-entry-click - detail `{ storeId, orderId, guideUrl }` when the customer taps the entry
 *   (cancelable: `preventDefault()` keeps the element from navigating, e.g. to open it in-app).
 * @cssproperty --wss-primary - icon colour.
 */
@localized()
@customElement('wss-store-entry')
export class WssStoreEntry extends LitElement {
  static override styles = [baseStyles, storeEntryStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property({ attribute: 'store-id' }) storeId = '';
  @property({ attribute: 'order-id' }) orderId = '';
  @property({ attribute: 'visitor-id' }) visitorId = '';
  /** app | miniprogram | h5 */
  @property({ attribute: 'client-type' }) clientType: 'app' | 'miniprogram' | 'h5' = 'h5';

  @state() private entry: EntryPayload | null = null;
  private loadSeq = 0;
  private viewed = '';

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('storeId') || changed.has('apiBase')) && this.storeId) void this.load();
  }

  private get visitor(): string {
    return this.visitorId || localVisitorId();
  }

  private async load() {
    const seq = ++this.loadSeq;
    let entry: EntryPayload | null = null;
    try {
      const response = await fetch(`${this.apiBase}/public/entry/${encodeURIComponent(this.storeId)}`, { headers: { Accept: 'application/json' } });
      if (response.ok) entry = (await response.json()) as EntryPayload;
    } catch {
      entry = null; // the order page must never break because of the entry
    }
    if (seq !== this.loadSeq) return;
    this.entry = entry;
    this.toggleAttribute('hidden', !entry?.visible);
    const key = `${this.storeId}|${this.orderId}`;
    if (entry && this.viewed !== key) {
      this.viewed = key;
      trackerFor(this.apiBase).track({
        type: 'order_result_view', storeId: this.storeId, visitorId: this.visitor, orderId: this.orderId || undefined,
        clientType: this.clientType, props: { entryVisible: entry.visible },
      });
    }
  }

  private open() {
    const entry = this.entry;
    if (!entry?.visible || !entry.guideUrl) return;
    const tracker = trackerFor(this.apiBase);
    tracker.track({ type: 'entry_click', storeId: this.storeId, visitorId: this.visitor, orderId: this.orderId || undefined, clientType: this.clientType });
    tracker.flush();
    const url = new URL(entry.guideUrl, location.href);
    url.searchParams.set('visitor', this.visitor);
    if (this.orderId) url.searchParams.set('order', this.orderId);
    url.searchParams.set('client', this.clientType);
    const event = new CustomEvent('wss-entry-click', {
      detail: { storeId: this.storeId, orderId: this.orderId, guideUrl: url.toString() },
      bubbles: true, composed: true, cancelable: true,
    });
    if (this.dispatchEvent(event)) location.href = url.toString();
  }

  override render() {
    if (!this.entry?.visible) return nothing;
    return html`<button class="entry" part="entry" data-testid="store-entry" @click=${this.open}
        aria-label=${this.entry.text ?? msg('添加门店专属客服', { id: 'entry.open' })}>
      <span class="icon" aria-hidden="true">企</span>
      <span class="label">${this.entry.text ?? msg('添加门店专属客服', { id: 'entry.open' })}
        <br /><small class="muted">${msg('门店专属顾问，一对一服务', { id: 'entry.hint' })}</small></span>
      <span class="arrow" aria-hidden="true">›</span>
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-store-entry': WssStoreEntry;
  }
}
