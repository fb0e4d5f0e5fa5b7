/** Customer-side actions of the simulated corp (scan-and-add, delete, set count) and their callbacks. */
import { randomBytes } from 'node:crypto';
import type { CallbackDispatcher, Enqueued } from './callbacks.js';
import { countBehavior } from './transfers.js';
import { findRelation, nextId, relationsOf, removeRelation, type SimRelation, type SimState } from './state.js';

export class SimActionError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface AddCustomerInput {
  userid?: string;
  configId?: string;
  externalUserId?: string;
  name?: string;
  state?: string;
  /** Raise add_half_external_contact (customer added, member has not accepted yet). */
  half?: boolean;
  /** follow_info.add_way when not through a contact way (e.g. an acquisition link). */
  addWay?: number;
}

export interface CustomerActions {
  add(input: AddCustomerInput): { relation: SimRelation; welcomeCode: string; callback: Enqueued };
  remove(input: { userid: string; externalUserId: string; by: 'member' | 'customer'; source?: string }): { callback: Enqueued };
  edit(input: { userid: string; externalUserId: string; remark?: string }): { callback: Enqueued };
  setCount(userid: string, count: number): { added: number; removed: number; count: number };
}

export function syntheticExternalUserid(): string {
  return `wm${randomBytes(21).toString('base64url')}`;
}

export function createCustomerActions(state: SimState, dispatcher: CallbackDispatcher, welcomeCodeTtlMs: number): CustomerActions {
  const roundRobin = new Map<string, number>();

  function pickMember(input: AddCustomerInput): { userid: string; wayState?: string; viaWay: boolean } {
    if (input.configId) {
      const way = state.contactWays.get(input.configId);
      if (!way) throw new SimActionError(404, 'unknown_config_id', `no contact way ${input.configId}`);
      const candidates = input.userid ? way.user.filter((u) => u === input.userid) : way.user;
      if (candidates.length === 0) throw new SimActionError(409, 'no_member', 'the contact way has no usable member');
      const turn = roundRobin.get(way.config_id) ?? 0;
      roundRobin.set(way.config_id, turn + 1);
      return { userid: candidates[turn % candidates.length], wayState: way.state, viaWay: true };
    }
    if (!input.userid) throw new SimActionError(400, 'missing_userid', 'userid or configId is required');
    return { userid: input.userid, viaWay: false };
  }

  function requireMember(userid: string) {
    const member = state.members.get(userid);
    if (!member) throw new SimActionError(404, 'unknown_member', `no member ${userid}`);
    return member;
  }

  return {
    add(input) {
      const picked = pickMember(input);
      const member = requireMember(picked.userid);
      if (member.status !== 1) throw new SimActionError(409, 'member_inactive', `member ${member.userid} is not active`);
      if (relationsOf(state, member.userid).length >= member.capacity) {
        throw new SimActionError(409, 'capacity_reached', `member ${member.userid} reached ${member.capacity} customers`);
      }
      const externalUserId = input.externalUserId ?? syntheticExternalUserid();
      if (findRelation(state, member.userid, externalUserId)) {
        throw new SimActionError(409, 'already_added', `${externalUserId} is already a customer of ${member.userid}`);
      }
      if (!state.customers.has(externalUserId)) {
        state.customers.set(externalUserId, { external_userid: externalUserId, name: input.name ?? `客户${state.customers.size + 1}`, type: 1, gender: 0 });
      }
      const customerState = input.state ?? picked.wayState;
      const relation: SimRelation = {
        userid: member.userid,
        external_userid: externalUserId,
        remark: '',
        createtime: Math.floor(Date.now() / 1000),
        add_way: picked.viaWay ? 1 : (input.addWay ?? 0),
        state: customerState,
        oper_userid: externalUserId,
        tag_id: [],
      };
      state.relations.push(relation);
      countBehavior(state, member.userid, 'new_apply_cnt');
      countBehavior(state, member.userid, 'new_contact_cnt');
      const welcomeCode = nextId(state, 'WELCOME');
      state.welcomeCodes.set(welcomeCode, { code: welcomeCode, userid: member.userid, external_userid: externalUserId, expiresAt: Date.now() + welcomeCodeTtlMs, used: false });
      const callback = dispatcher.enqueue({
        changeType: input.half ? 'add_half_external_contact' : 'add_external_contact',
        userid: member.userid,
        externalUserId,
        state: customerState,
        welcomeCode,
      });
      return { relation, welcomeCode, callback };
    },

    remove(input) {
      requireMember(input.userid);
      const removed = removeRelation(state, input.userid, input.externalUserId);
      if (!removed) throw new SimActionError(404, 'unknown_relation', `${input.externalUserId} is not a customer of ${input.userid}`);
      if (input.by === 'customer') countBehavior(state, input.userid, 'negative_feedback_cnt');
      const callback = dispatcher.enqueue({
        changeType: input.by === 'member' ? 'del_external_contact' : 'del_follow_user',
        userid: input.userid,
        externalUserId: input.externalUserId,
        source: input.by === 'member' ? input.source : undefined,
      });
      return { callback };
    },

    edit(input) {
      const relation = findRelation(state, input.userid, input.externalUserId);
      if (!relation) throw new SimActionError(404, 'unknown_relation', `${input.externalUserId} is not a customer of ${input.userid}`);
      if (input.remark !== undefined) relation.remark = input.remark;
      const callback = dispatcher.enqueue({ changeType: 'edit_external_contact', userid: input.userid, externalUserId: input.externalUserId });
      return { callback };
    },

    /** Bulk setup: adds or removes synthetic customers silently (no callbacks, like a data import). */
    setCount(userid, count) {
      requireMember(userid);
      const current = relationsOf(state, userid);
      let added = 0;
      let removed = 0;
      if (count > current.length) {
        const now = Math.floor(Date.now() / 1000);
        for (let i = current.length; i < count; i += 1) {
          const externalUserId = syntheticExternalUserid();
          state.customers.set(externalUserId, { external_userid: externalUserId, name: `批量客户${i + 1}`, type: 1, gender: 0 });
          state.relations.push({ userid, external_userid: externalUserId, remark: '', createtime: now, add_way: 0, oper_userid: externalUserId, tag_id: [] });
          added += 1;
        }
      } else {
        for (const relation of current.slice(count).reverse()) {
          removeRelation(state, userid, relation.external_userid);
          removed += 1;
        }
      }
      return { added, removed, count: relationsOf(state, userid).length };
    },
  };
}
