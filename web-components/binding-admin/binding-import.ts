import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import '../shared/localize.js';
import { ApiError, apiFetch } from '../shared/api.js';
import { actionFailed, loadFailed } from '../shared/errors.js';
import { baseStyles } from '../shared/styles.js';
import { bindingAdminStyles } from './binding-admin.styles.js';
import type { ImportJobBody } from '../../plugin/contract/index.js';

type ImportJob = ImportJobBody;

/**
 * Import wizard of <wss-binding-admin>: upload CSV/XLSX → dry-run report per row → commit (all or
 * nothing), with a progress bar while the server works.
 *
 * @fires wss-import-commit - detail `{ id }` once the import is committed.
 */
@localized()
@customElement('wss-binding-import')
export class WssBindingImport extends LitElement {
  static override styles = [baseStyles, bindingAdminStyles];

  @property({ attribute: 'api-base' }) apiBase = '/plugins/wecom-store-service';

  @state() private job: ImportJob | null = null;
  @state() private error = '';
  @state() private uploading = false;

  @query('dialog') private dialog!: HTMLDialogElement;
  private polling = false;

  async open(): Promise<void> {
    this.job = null;
    this.error = '';
    await this.updateComplete;
    this.dialog.showModal();
  }

  private async upload(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    this.uploading = true;
    this.error = '';
    try {
      const response = await fetch(`${this.apiBase}/imports?fileName=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' },
        body: file,
      });
      const body = (await response.json().catch(() => ({}))) as ImportJob & { error?: { code: string; message: string } };
      if (!response.ok) throw new ApiError(response.status, body.error?.code ?? `http_${response.status}`, body.error?.message ?? response.statusText);
      this.job = body;
      await this.poll();
    } catch (err) {
      this.error = actionFailed(err);
    } finally {
      this.uploading = false;
    }
  }

  private async poll() {
    if (this.polling || !this.job) return;
    this.polling = true;
    try {
      while (this.job && (this.job.status === 'validating' || this.job.status === 'committing')) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        this.job = await apiFetch<ImportJob>(this.apiBase, `/imports/${this.job.id}`);
      }
      if (this.job?.status === 'committed') {
        this.dispatchEvent(new CustomEvent('wss-import-commit', { detail: { id: this.job.id }, bubbles: true, composed: true }));
      }
    } catch (err) {
      this.error = loadFailed(err);
    } finally {
      this.polling = false;
    }
  }

  private async commit() {
    if (!this.job) return;
    this.error = '';
    try {
      this.job = await apiFetch<ImportJob>(this.apiBase, `/imports/${this.job.id}/commit`, { method: 'POST' });
      await this.poll();
    } catch (err) {
      this.error = actionFailed(err);
    }
  }

  private renderProgress(job: ImportJob) {
    const label = job.status === 'validating' ? msg('正在校验…', { id: 'bindingImport.validating' }) : msg('正在提交…', { id: 'bindingImport.committing' });
    return html`<label>${label}
      <progress data-testid="progress" max=${job.totalRows} .value=${job.processedRows}></progress></label>
      <span class="muted">${job.processedRows} / ${job.totalRows}</span>`;
  }

  private renderReport(job: ImportJob) {
    const s = job.summary;
    const rows = [...(job.report ?? [])].sort((a, b) => (a.status === b.status ? a.row - b.row : a.status === 'error' ? -1 : 1));
    return html`${s
        ? html`<p data-testid="summary">${msg(str`共 ${s.total} 行：可导入 ${s.ok} 行，错误 ${s.errors} 行`, { id: 'bindingImport.summary' })}</p>`
        : nothing}
      <div class="report">
        <table data-testid="report">
          <thead><tr>
            <th scope="col">${msg('行号', { id: 'bindingImport.row' })}</th>
            <th scope="col">${msg('门店编号', { id: 'bindingImport.store' })}</th>
            <th scope="col">${msg('企微账号', { id: 'bindingImport.account' })}</th>
            <th scope="col">${msg('结果', { id: 'bindingImport.result' })}</th>
          </tr></thead>
          <tbody>${rows.slice(0, 500).map(
            (r) => html`<tr class=${r.status === 'error' ? 'bad' : ''} data-row=${r.row}>
              <td>${r.row}</td><td>${r.storeId}</td><td>${r.userid}${r.accountName ? ` (${r.accountName})` : ''}</td>
              <td>${r.status === 'error' ? r.message : this.actionText(r.action)}</td></tr>`,
          )}</tbody>
        </table>
      </div>`;
  }

  private actionText(action?: string) {
    const texts: Record<string, string> = {
      bind: msg('新绑定', { id: 'bindingImport.bind' }),
      add_backup: msg('添加备用', { id: 'bindingImport.addBackup' }),
      promote: msg('升为主账号', { id: 'bindingImport.promote' }),
      rebind: msg('更换主账号', { id: 'bindingImport.rebind' }),
      unchanged: msg('无变化', { id: 'bindingImport.unchanged' }),
    };
    return texts[action ?? ''] ?? action ?? '';
  }

  override render() {
    const job = this.job;
    const templateHref = (format: string) => `${this.apiBase}/imports/template?format=${format}`;
    return html`<dialog aria-labelledby="import-title">
      <h2 id="import-title">${msg('批量导入门店绑定', { id: 'bindingImport.title' })}</h2>
      ${!job
        ? html`<p>${msg('上传 CSV 或 XLSX 文件（最多 5,000 行）。先校验，确认无误后再提交，提交要么全部成功要么不做任何更改。', { id: 'bindingImport.intro' })}</p>
            <p>${msg('下载模板：', { id: 'bindingImport.template' })} <a href=${templateHref('xlsx')} download>XLSX</a> · <a href=${templateHref('csv')} download>CSV</a></p>
            <label>${msg('选择文件', { id: 'bindingImport.file' })}
              <input type="file" data-field="file" accept=".csv,.xlsx" ?disabled=${this.uploading} @change=${this.upload} /></label>`
        : nothing}
      ${job && (job.status === 'validating' || job.status === 'committing') ? this.renderProgress(job) : nothing}
      ${job && job.status === 'validated' ? this.renderReport(job) : nothing}
      ${job?.status === 'committed'
        ? html`<p role="status" data-testid="import-done">${msg(str`导入完成：${job.summary?.ok ?? 0} 行已生效，相关门店入口待中央运营审核。`, { id: 'bindingImport.done' })}</p>`
        : nothing}
      ${job?.status === 'failed' || job?.error ? html`<p class="error" role="alert">${job.error}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="row-end">
        ${job && job.status !== 'committed' && job.status !== 'committing'
          ? html`<button @click=${() => (this.job = null)}>${msg('重新上传', { id: 'bindingImport.again' })}</button>`
          : nothing}
        ${job?.status === 'validated'
          ? html`<button class="primary" data-action="commit" ?disabled=${(job.summary?.errors ?? 1) > 0} @click=${this.commit}>${msg('提交导入', { id: 'bindingImport.commit' })}</button>`
          : nothing}
        <button @click=${() => this.dialog.close()}>${msg('关闭', { id: 'bindingImport.close' })}</button>
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wss-binding-import': WssBindingImport;
  }
}
