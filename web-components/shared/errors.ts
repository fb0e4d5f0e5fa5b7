import { msg, str } from '@lit/localize';
import { ApiError } from './api.js';
import { getLocale } from './localize.js';

const CJK = /[\u4e00-\u9fff]/;

/** People's words for the error codes the server answers with (zh-CN first; English in common.en.ts). */
function codeText(code: string, status: number): string | null {
  switch (code) {
    case 'invalid_input': return msg('填写的内容有误，请检查后重试', { id: 'common.err.invalidInput' });
    case 'malformed_json': return msg('请求格式有误，请刷新页面后重试', { id: 'common.err.malformed' });
    case 'payload_too_large':
    case 'too_large': return msg('内容太大，请缩小后重试', { id: 'common.err.tooLarge' });
    case 'missing_permission': return msg('没有权限执行此操作', { id: 'common.err.forbidden' });
    case 'unauthenticated': return msg('登录已失效，请重新登录', { id: 'common.err.unauthenticated' });
    case 'branch_out_of_scope':
    case 'store_out_of_scope': return msg('不能查看或修改其他分公司的门店', { id: 'common.err.outOfScope' });
    case 'store_not_found': return msg('门店不存在', { id: 'common.err.storeNotFound' });
    case 'branch_not_found': return msg('分公司不存在', { id: 'common.err.branchNotFound' });
    case 'account_not_found': return msg('企微账号不存在', { id: 'common.err.accountNotFound' });
    case 'store_closed': return msg('门店已关店', { id: 'common.err.storeClosed' });
    case 'review_changed': return msg('该门店的绑定已再次修改，请刷新后重新审核', { id: 'common.err.reviewChanged' });
    case 'review_closed': return msg('该审核已处理', { id: 'common.err.reviewClosed' });
    case 'review_not_found': return msg('审核记录不存在', { id: 'common.err.reviewNotFound' });
    case 'wecom_unavailable': return msg('暂时连不上企业微信，请稍后重试', { id: 'common.err.wecomUnavailable' });
    case 'rate_limited': return msg('操作太频繁，请稍后再试', { id: 'common.err.rateLimited' });
    case 'import_busy': return msg('导入正在处理中，请稍候', { id: 'common.err.importBusy' });
    case 'import_has_errors': return msg('文件中有错误行，请修正后重新上传，或选择只导入正确的行', { id: 'common.err.importHasErrors' });
    case 'import_already_committed': return msg('该文件已导入', { id: 'common.err.importCommitted' });
    case 'internal_error': return msg('服务器出错了，请稍后重试', { id: 'common.err.internal' });
    default:
      if (status === 401) return msg('登录已失效，请重新登录', { id: 'common.err.unauthenticated' });
      if (status === 403) return msg('没有权限执行此操作', { id: 'common.err.forbidden' });
      if (status === 404) return msg('要找的内容不存在', { id: 'common.err.notFound' });
      if (status >= 500) return msg('服务器出错了，请稍后重试', { id: 'common.err.internal' });
      return null;
  }
}

/**
 * What to tell a person about a failed call: the server's own Chinese sentence when it has one (it
 * names the store or account), else the localised text for its code; never a raw code or a
 * browser message such as "Failed to fetch".
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const mapped = codeText(err.code, err.status);
    if (getLocale() === 'zh-CN' && CJK.test(err.message)) return err.message;
    return mapped ?? msg('操作失败，请稍后重试', { id: 'common.err.generic' });
  }
  if (err instanceof TypeError) return msg('网络连接失败，请检查网络后重试', { id: 'common.err.network' });
  return msg('操作失败，请稍后重试', { id: 'common.err.generic' });
}

/** "加载失败：…" for a failed read. */
export const loadFailed = (err: unknown) => msg(str`加载失败：${errorText(err)}`, { id: 'common.error' });
/** "保存失败：…" for a failed save. */
export const saveFailed = (err: unknown) => msg(str`保存失败：${errorText(err)}`, { id: 'common.saveError' });
/** "操作失败：…" for any other failed action. */
export const actionFailed = (err: unknown) => msg(str`操作失败：${errorText(err)}`, { id: 'common.actionError' });
