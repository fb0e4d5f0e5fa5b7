/**
 * Directory APIs a self-built app may call within its visible range [WD 95350, 90200, 90201, 96067]:
 * department/simplelist (the range's departments, recursively), user/simplelist and user/list (a
 * department's direct members; no fetch_child any more), and user/list_id, which WeCom answers only
 * for the contact-sync secret (48002 for an app's token).
 */
import { ok, type ApiResult, type ApiRoute, type SimContext } from './context.js';
import { wecomError } from './errors.js';
import { num, str } from './http-utils.js';
import { memberVisible, subtreeOf, visibleDepartments, type SimMember } from './state.js';

const MAX_LIST_ID = 10_000;

export function directoryRoutes(sim: SimContext): Record<string, ApiRoute> {
  const { state } = sim;

  /** A department the app may read, or the errcode WeCom answers. */
  function readableDepartment(raw: string | undefined): number | ApiResult {
    const id = Number(raw);
    if (!raw || !Number.isInteger(id) || id < 1) return wecomError(40058, 'invalid department_id');
    if (!state.departments.has(id)) return wecomError(60003, `department not found: ${id}`);
    if (!visibleDepartments(state).has(id)) return wecomError(60011, `no privilege to access department ${id}`);
    return id;
  }

  const directMembers = (id: number): SimMember[] =>
    [...state.members.values()].filter((m) => m.department.includes(id) && memberVisible(state, m)).sort((a, b) => a.userid.localeCompare(b.userid));

  /** Only the departments the app may see are listed on a member. */
  const visibleDepts = (m: SimMember) => {
    const depts = visibleDepartments(state);
    return m.department.filter((d) => depts.has(d));
  };

  return {
    '/cgi-bin/department/simplelist': {
      method: 'GET',
      needsToken: true,
      handle: ({ query }) => {
        const visible = visibleDepartments(state);
        let ids = [...visible];
        if (query.id !== undefined && query.id !== '') {
          const id = readableDepartment(query.id);
          if (typeof id !== 'number') return id;
          ids = [...subtreeOf(state, id)].filter((d) => visible.has(d));
        }
        const departments = ids.map((d) => state.departments.get(d)!).sort((a, b) => a.id - b.id);
        return ok({ department_id: departments.map(({ id, parentid, order }) => ({ id, parentid, order })) });
      },
    },
    '/cgi-bin/user/simplelist': {
      method: 'GET',
      needsToken: true,
      handle: ({ query }) => {
        const id = readableDepartment(query.department_id);
        if (typeof id !== 'number') return id;
        return ok({ userlist: directMembers(id).map((m) => ({ userid: m.userid, name: m.name, department: visibleDepts(m) })) });
      },
    },
    '/cgi-bin/user/list': {
      method: 'GET',
      needsToken: true,
      handle: ({ query }) => {
        const id = readableDepartment(query.department_id);
        if (typeof id !== 'number') return id;
        // Apps created after 2022-06-20 get no mobile, email, avatar, gender or address here.
        return ok({
          userlist: directMembers(id).map((m) => {
            const department = visibleDepts(m);
            return { userid: m.userid, name: m.name, department, order: department.map(() => 0), position: '', status: m.status, main_department: m.main_department, isleader: 0, is_leader_in_dept: department.map(() => 0) };
          }),
        });
      },
    },
    '/cgi-bin/user/list_id': {
      method: 'POST',
      needsToken: true,
      handle: ({ query, body }) => {
        if (!state.contactSyncTokens.has(query.access_token ?? '')) return wecomError(48002, 'api forbidden: user/list_id needs the contact-sync secret');
        const limit = body?.limit === undefined ? MAX_LIST_ID : num(body.limit);
        if (limit === undefined || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_ID) return wecomError(40058, 'limit must be 1 ~ 10000');
        const cursor = str(body?.cursor) ?? '';
        const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(offset) || offset < 0) return wecomError(40058, 'invalid cursor');
        const pairs = [...state.members.values()]
          .sort((a, b) => a.userid.localeCompare(b.userid))
          .flatMap((m) => m.department.map((department) => ({ userid: m.userid, department })));
        const page = pairs.slice(offset, offset + limit);
        const next = offset + page.length;
        return ok({ next_cursor: next < pairs.length ? Buffer.from(String(next)).toString('base64url') : '', dept_user: page });
      },
    },
  };
}
