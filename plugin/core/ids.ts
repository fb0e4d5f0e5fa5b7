import { z } from 'zod';
import { freeText, lineText } from './text.js';

/**
 * The id schemas of every route, in one place. Admin routes take CRM ids as the host has them;
 * public routes (customers' browsers) accept only a plain character set.
 */
export const storeIdSchema = lineText(64).pipe(z.string().min(1));
export const branchIdSchema = lineText(64).pipe(z.string().min(1));

/** A WeCom member userid: 1–64 letters, digits, `_`, `-`, `.`, `@`. */
export const useridSchema = z
  .string()
  .trim()
  .min(1, '请输入企微账号')
  .max(64, '企微账号最长 64 个字符')
  .regex(/^[A-Za-z0-9_.@-]+$/, '企微账号只能包含字母、数字和 _ - . @');

/** Ids customers' pages send: store, visitor, order, guide visit. */
export const PUBLIC_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const publicIdSchema = z.string().regex(PUBLIC_ID, 'must be 1-64 characters of A-Z a-z 0-9 _ . : -');

/** Row ids of our own tables (bigint). */
export const rowIdSchema = z.string().regex(/^\d{1,18}$/, 'must be a numeric id');

const ROBOT_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const robotIdSchema = z.string().regex(ROBOT_ID, 'lowercase letters, digits, - and _ (≤40)');


export const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Free text a person gives with a change (reason, note). */
export const reasonSchema = freeText(200).optional();

/** A search box's text. */
export const searchSchema = (max = 100) => lineText(max, { trim: true });
