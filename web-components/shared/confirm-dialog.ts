import { LitElement, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import './localize.js';
import { baseStyles } from './styles.js';
import { confirmDialogStyles } from './confirm-dialog.styles.js';

export interface ConfirmRequest {
  title: string;
  /** The consequence, stated plainly ("门店 S1001 的入口将立即隐藏"). */
  message: string;
  details?: string[];
  confirmText: string;
  danger?: boolean;
}

/**
 * Asks before a destructive action: `await dialog.ask({ title, message, confirmText })` resolves
 * true when the person confirms, false on cancel or Esc. A native <dialog> (focus trap, Esc).
 *
 * @csspart dialog - the dialog box.
 */
@localized()
@customElement('wss-confirm-dialog')
export class WssConfirmDialog extends LitElement {
  static override styles = [baseStyles, confirmDialogStyles];

  @state() private request: ConfirmRequest | null = null;
  @query('dialog') private dialog!: HTMLDialogElement;
  private resolve?: (ok: boolean) => void;

  async ask(request: ConfirmRequest): Promise<boolean> {
    this.resolve?.(false);
    this.request = request;
    await this.updateComplete;
    this.dialog.showModal();
    return new Promise<boolean>((resolve) => (this.resolve = resolve));
  }

  private finish(ok: boolean) {
    const resolve = this.resolve;
    this.resolve = undefined;
    if (this.dialog.open) this.dialog.close();
    resolve?.(ok);
  }

  override render() {
    const r = this.request;
    return html`<dialog part="dialog" aria-labelledby="confirm-title" aria-describedby="confirm-message" @close=${() => this.finish(false)}>
      ${r
        ? html`<h2 id="confirm-title">${r.title}</h2>
            <p id="confirm-message" data-testid="confirm-message">${r.message}</p>
            ${r.details?.length ? html`<ul>${r.details.map((d) => html`<li>${d}</li>`)}</ul>` : nothing}
            <div class="row-end">
              <button data-action="cancel" @click=${() => this.finish(false)}>${msg('取消', { id: 'confirm.cancel' })}</button>
              <button data-action="confirm" class=${r.danger ? 'danger' : 'primary'} @click=${() => this.finish(true)}>${r.confirmText}</button>
            </div>`
        : nothing}
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-confirm-dialog': WssConfirmDialog;
  }
}
