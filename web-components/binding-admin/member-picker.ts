import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { apiFetch, queryString } from '../shared/api.js';
import { baseStyles } from '../shared/styles.js';
import { fillText, memberStatusText } from '../shared/labels.js';
import type { MemberItem, MemberSearchBody } from '../../plugin/contract/index.js';
import { memberPickerStyles } from './member-picker.styles.js';

/**
 * The bind dialog's account field: type a userid as before, or a name or the start of a userid and
 * pick a member the app may see (name, status, last counted fill, where it serves).
 *
 * @fires wss-member-input - detail `{ userid }` as the field changes.
 * @fires wss-member-pick - detail `{ userid }` when a member is picked from the list.
 */
@localized()
@customElement('wss-member-picker')
export class WssMemberPicker extends LitElement {
  static override styles = [baseStyles, memberPickerStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';
  @property() value = '';

  @state() private results: MemberItem[] = [];
  @state() private open = false;
  @state() private active = -1;
  @state() private unavailable = false;
  private timer?: number;
  private seq = 0;

  private emit(name: 'wss-member-input' | 'wss-member-pick', userid: string) {
    this.dispatchEvent(new CustomEvent(name, { detail: { userid }, bubbles: true, composed: true }));
  }

  private onInput(e: Event) {
    this.value = (e.target as HTMLInputElement).value.trim();
    this.emit('wss-member-input', this.value);
    window.clearTimeout(this.timer);
    if (!this.value) {
      this.results = [];
      this.open = false;
      return;
    }
    this.timer = window.setTimeout(() => void this.search(this.value), 300);
  }

  private async search(q: string) {
    const seq = ++this.seq;
    try {
      const body = await apiFetch<MemberSearchBody>(this.apiBase, `/members${queryString({ q, limit: 8 })}`);
      if (seq !== this.seq) return;
      this.results = body.items;
      this.unavailable = false;
      this.active = -1;
      this.open = this.results.length > 0;
    } catch {
      if (seq === this.seq) {
        this.unavailable = true;
        this.open = false;
      }
    }
  }

  private pick(member: MemberItem) {
    this.value = member.userid;
    this.open = false;
    this.emit('wss-member-pick', member.userid);
  }

  private onKey(e: KeyboardEvent) {
    if (!this.open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.results.length) % this.results.length;
    } else if (e.key === 'Enter' && this.active >= 0) {
      e.preventDefault();
      this.pick(this.results[this.active]);
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      this.open = false;
    }
  }

  private renderOption(m: MemberItem, i: number) {
    const bound = m.boundTo.length
      ? msg(str`已服务 ${m.boundTo.map((b) => b.storeId).join('、')}`, { id: 'memberPicker.boundHere' })
      : m.boundElsewhere
        ? msg('已服务其他分公司门店', { id: 'memberPicker.boundElsewhere' })
        : '';
    return html`<li role="option" id=${`member-${i}`} aria-selected=${i === this.active} data-userid=${m.userid}
      class=${i === this.active ? 'active' : ''} @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.pick(m)}>
      <span class="who"><strong>${m.name || m.userid}</strong> <span class="muted">${m.userid}</span></span>
      <span class="meta">
        <span class="tag ${m.status === 1 ? 'ok' : 'off'}">${memberStatusText(m.status)}</span>
        <span>${m.fill ? fillText(m.fill) : msg('客户数未统计', { id: 'memberPicker.notCounted' })}</span>
        ${bound ? html`<span class="muted">${bound}</span>` : nothing}
      </span>
    </li>`;
  }

  override render() {
    return html`<label>${msg('企微账号（输入姓名或账号搜索，或直接输入成员 userid）', { id: 'memberPicker.label' })}
        <input name="userid" data-field="userid" autocomplete="off" required role="combobox" aria-autocomplete="list"
          aria-expanded=${this.open} aria-controls="members" aria-activedescendant=${this.active >= 0 ? `member-${this.active}` : ''}
          .value=${this.value} @input=${this.onInput} @keydown=${this.onKey} @blur=${() => (this.open = false)}
          @focus=${() => (this.open = this.results.length > 0)} /></label>
      ${this.open
        ? html`<ul id="members" role="listbox" data-testid="member-results" aria-label=${msg('企微成员', { id: 'memberPicker.results' })}>${this.results.map((m, i) => this.renderOption(m, i))}</ul>`
        : nothing}
      ${this.unavailable ? html`<p class="muted">${msg('通讯录暂时无法读取，可直接输入成员 userid', { id: 'memberPicker.unavailable' })}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-member-picker': WssMemberPicker;
  }
}
