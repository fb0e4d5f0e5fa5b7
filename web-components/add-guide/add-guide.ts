import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { baseStyles } from '../shared/styles.js';
import { localVisitorId, trackerFor } from '../shared/tracker.js';
import { addGuideStyles } from './add-guide.styles.js';
import type { GuideVisitView } from '../../plugin/contract/index.js';

type GuideVisit = GuideVisitView;

type JumpState = 'idle' | 'jumping' | 'ok' | 'failed';

/**
 * The add-guide: store and account, a button that opens the WeChat mini program, and the store
 * account's QR code (its `state` ties a later add to this guide visit). If the page is not hidden
 * within `jump-timeout-ms` after launching, the jump is treated as failed: a retry button and the
 * QR code to long-press stay on the page. Records guide_view, add_click and jump_result.
 *
 * @fires wss-link-open - link mode: the customer tapped add; `detail.guideVisitId`
 * @fires wss-jump-complete - detail `{ guideVisitId, outcome: 'ok' | 'failed' }` after an "open WeChat" tap.
 * @cssproperty --wss-primary - button colour.
 */
@localized()
@customElement('wss-add-guide')
export class WssAddGuide extends LitElement {
  static override styles = [baseStyles, addGuideStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property({ attribute: 'store-id' }) storeId = '';
  @property({ attribute: 'visitor-id' }) visitorId = '';
  @property({ attribute: 'order-id' }) orderId = '';
  @property({ attribute: 'client-type' }) clientType: 'app' | 'miniprogram' | 'h5' = 'h5';
  /** How long the page may stay visible after launching before the jump counts as failed. */
  @property({ type: Number, attribute: 'jump-timeout-ms' }) jumpTimeoutMs = 2500;

  @state() private visit: GuideVisit | null = null;
  @state() private loading = true;
  @state() private jump: JumpState = 'idle';
  private timer?: number;
  private stopWatching?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopWatching?.();
    document.removeEventListener('visibilitychange', this.onReturn);
  }

  private get visitor(): string {
    return this.visitorId || localVisitorId();
  }

  private base() {
    return { storeId: this.storeId, visitorId: this.visitor, orderId: this.orderId || undefined, clientType: this.clientType };
  }

  private async start() {
    if (!this.storeId) return;
    try {
      const response = await fetch(`${this.apiBase}/public/guide-visits`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ storeId: this.storeId, visitorId: this.visitor, orderId: this.orderId || undefined, clientType: this.clientType }),
      });
      this.visit = response.ok ? ((await response.json()) as GuideVisit) : null;
    } catch {
      this.visit = null;
    } finally {
      this.loading = false;
    }
    if (this.visit?.available && this.visit.guideVisitId) {
      trackerFor(this.apiBase).track({ type: 'guide_view', ...this.base(), guideVisitId: this.visit.guideVisitId });
      document.addEventListener('visibilitychange', this.onReturn);
    }
  }

  /** Back from WeChat: ask whether WeCom confirmed the add, so the page says 已添加 instead of asking again. */
  private onReturn = () => {
    if (document.visibilityState === 'visible') void this.recheck();
  };

  /** Re-reads the visit (public, by its id); shows 已添加 once WeCom has confirmed the add. */
  async recheck(): Promise<void> {
    const id = this.visit?.guideVisitId;
    if (!id || this.visit?.added) return;
    try {
      const response = await fetch(`${this.apiBase}/public/guide-visits/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
      if (response.ok) this.visit = (await response.json()) as GuideVisit;
    } catch {
      // Offline for a moment: the page keeps its buttons.
    }
  }

  private finishJump(outcome: 'ok' | 'failed') {
    if (this.jump !== 'jumping') return;
    this.stopWatching?.();
    this.jump = outcome;
    const guideVisitId = this.visit!.guideVisitId!;
    const tracker = trackerFor(this.apiBase);
    tracker.track({ type: 'jump_result', ...this.base(), guideVisitId, outcome });
    tracker.flush();
    this.dispatchEvent(new CustomEvent('wss-jump-complete', { detail: { guideVisitId, outcome }, bubbles: true, composed: true }));
  }

  private openWeChat() {
    const visit = this.visit;
    if (!visit?.miniProgramUrl || !visit.guideVisitId || this.jump === 'jumping') return;
    const tracker = trackerFor(this.apiBase);
    tracker.track({ type: 'add_click', ...this.base(), guideVisitId: visit.guideVisitId, props: { retry: this.jump === 'failed' } });
    tracker.flush();
    this.jump = 'jumping';
    // WeChat taking over hides the page; staying visible means the scheme did not open.
    const onHidden = () => {
      if (document.visibilityState === 'hidden') this.finishJump('ok');
    };
    const onPageHide = () => this.finishJump('ok');
    document.addEventListener('visibilitychange', onHidden);
    addEventListener('pagehide', onPageHide);
    this.timer = window.setTimeout(() => this.finishJump('failed'), this.jumpTimeoutMs);
    this.stopWatching = () => {
      window.clearTimeout(this.timer);
      document.removeEventListener('visibilitychange', onHidden);
      removeEventListener('pagehide', onPageHide);
      this.stopWatching = undefined;
    };
    // Android needs the H5 page itself to set location.href to the scheme; iOS opens it directly.
    location.href = visit.miniProgramUrl;
  }

  /** Link mode: the acquisition link opens the advisor's profile directly, in or out of WeChat. */
  private openLink() {
    const visit = this.visit;
    if (!visit?.acquisitionUrl || !visit.guideVisitId) return;
    const tracker = trackerFor(this.apiBase);
    tracker.track({ type: 'add_click', ...this.base(), guideVisitId: visit.guideVisitId, props: { via: 'link' } });
    tracker.flush();
    this.dispatchEvent(new CustomEvent('wss-link-open', { detail: { guideVisitId: visit.guideVisitId }, bubbles: true, composed: true }));
    location.href = visit.acquisitionUrl;
  }

  private renderLink(visit: GuideVisit) {
    return html`
      <p><button class="primary" data-testid="open-link" @click=${this.openLink}>${msg('添加门店专属客服', { id: 'guide.link.open' })}</button></p>
      <p class="muted hint">${msg('将打开客服名片，点击「添加到通讯录」即可', { id: 'guide.link.hint' })}</p>
      ${visit.qrCode ? html`<p class="or">${msg('或者', { id: 'guide.link.or' })}</p>` : nothing}
      ${this.renderQr(false)}`;
  }

  private renderQr(emphasis: boolean) {
    const visit = this.visit!;
    if (!visit.qrCode) return html`<p class="muted" data-testid="no-qr">${msg('二维码暂不可用，请稍后再试', { id: 'guide.noQr' })}</p>`;
    return html`<div class="qr ${emphasis ? 'emphasis' : ''}" data-testid="qr">
      <p>${msg('长按识别二维码，添加门店专属客服', { id: 'guide.qr' })}</p>
      <img src=${visit.qrCode} alt=${msg('门店专属客服二维码', { id: 'guide.qrAlt' })} />
    </div>`;
  }

  override render() {
    if (this.loading) return html`<p class="muted" aria-live="polite">${msg('加载中…', { id: 'guide.loading' })}</p>`;
    const visit = this.visit;
    if (!visit?.available) {
      return html`<div class="card" data-testid="unavailable"><p>${msg('该门店暂未开通专属客服', { id: 'guide.unavailable' })}</p></div>`;
    }
    if (visit.added) {
      return html`<div class="card done" data-testid="added" data-guide-visit=${visit.guideVisitId ?? ''}>
        <h2>${visit.storeName}</h2>
        <p class="done-title">✓ ${msg('已添加门店专属客服', { id: 'guide.added' })}</p>
        <p class="muted">${msg('可以在微信里直接联系门店客服了', { id: 'guide.addedHint' })}</p>
      </div>`;
    }
    const failed = this.jump === 'failed';
    return html`<div class="card" data-guide-visit=${visit.guideVisitId ?? ''}>
      <h2 data-testid="store-name">${visit.storeName}</h2>
      ${visit.accountName ? html`<p class="account">${msg(str`门店专属客服：${visit.accountName}`, { id: 'guide.account' })}</p>` : nothing}
      ${visit.acquisitionUrl
        ? this.renderLink(visit)
        : visit.miniProgramUrl
        ? html`
          ${failed
            ? html`<div class="fallback" role="alert" data-testid="jump-failed">${msg('未能打开微信，请重试，或长按下方二维码添加', { id: 'guide.failed' })}</div>`
            : nothing}
          <p><button class="primary" data-testid="open-wechat" ?disabled=${this.jump === 'jumping'} @click=${this.openWeChat}>
            ${this.jump === 'jumping'
              ? msg('正在打开微信…', { id: 'guide.opening' })
              : failed ? msg('重新打开微信', { id: 'guide.retry' }) : msg('打开微信添加', { id: 'guide.open' })}
          </button></p>
          ${failed ? nothing : html`<ol class="steps">
            <li>${msg('点击按钮打开微信小程序', { id: 'guide.step1' })}</li>
            <li>${msg('在小程序中长按二维码添加客服', { id: 'guide.step2' })}</li></ol>`}`
        : nothing}
      ${visit.acquisitionUrl ? nothing : this.renderQr(failed || !visit.miniProgramUrl)}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-add-guide': WssAddGuide;
  }
}
