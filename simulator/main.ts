/**
 * Runs the WeCom simulator on its own: `npm run simulator` (or `tsx plugin/wecom/simulator/main.ts`).
 * Config from env or `--name=value` flags: PORT, HOST, CORP_ID, CORP_SECRET, TOKEN_TTL_SECONDS,
 * PER_API_LIMIT_PER_MINUTE, CALLBACK_URL, CALLBACK_TOKEN, CALLBACK_AES_KEY, MEMBERS (userid:name:customers,…).
 */
import { createWecomSimulator, type SimulatorSeedMember } from './server.js';

function config(name: string): string | undefined {
  const flag = `--${name.toLowerCase().replaceAll('_', '-')}=`;
  const fromArgs = process.argv.slice(2).find((arg) => arg.startsWith(flag));
  return fromArgs ? fromArgs.slice(flag.length) : process.env[`WECOM_SIM_${name}`] ?? process.env[name];
}

const numeric = (name: string) => (config(name) ? Number(config(name)) : undefined);

function members(): SimulatorSeedMember[] {
  const spec = config('MEMBERS') ?? 'zhangsan:张三:0,lisi:李四:3';
  return spec.split(',').filter(Boolean).map((item) => {
    const [userid, name, customers] = item.split(':');
    return { userid, name: name || userid, customers: customers ? Number(customers) : 0 };
  });
}

const callbackUrl = config('CALLBACK_URL');
const callbackToken = config('CALLBACK_TOKEN');
const callbackAesKey = config('CALLBACK_AES_KEY');

const simulator = await createWecomSimulator({
  port: numeric('PORT') ?? 8780,
  host: config('HOST') ?? '127.0.0.1',
  corpId: config('CORP_ID'),
  corpSecret: config('CORP_SECRET'),
  tokenTtlSeconds: numeric('TOKEN_TTL_SECONDS'),
  perApiLimitPerMinute: numeric('PER_API_LIMIT_PER_MINUTE'),
  callback: callbackUrl && callbackToken && callbackAesKey ? { url: callbackUrl, token: callbackToken, encodingAesKey: callbackAesKey } : undefined,
  members: members(),
});

console.log(`WeCom simulator listening on ${simulator.url}`);
console.log(`  corp id: ${simulator.options.corpId}  (secret from WECOM_SIM_CORP_SECRET or the default)`);
console.log(`  customer page: ${simulator.url}/sim/   robot messages: ${simulator.url}/sim/robots`);

const stop = () => void simulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
