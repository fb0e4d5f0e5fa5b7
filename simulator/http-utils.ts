import type { Context } from 'koa';

export async function readRawBody(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export type JsonBody = Record<string, unknown>;

/** Parses a JSON object body; returns undefined when absent or not an object. */
export async function readJsonBody(ctx: Context): Promise<JsonBody | undefined> {
  const raw = await readRawBody(ctx);
  if (!raw.trim()) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonBody) : undefined;
  } catch {
    return undefined;
  }
}

export function queryString(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function strArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
