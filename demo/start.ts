/** `npm start`: embedded PostgreSQL (unless DATABASE_URL), the demo CRM with the plugin mounted. */
import path from 'node:path';
import { buildElements } from '../web-components/build.js';
import { startDatabase } from './embedded-postgres.js';
import { startDemoEnvironment } from './environment.js';

const port = Number(process.env.PORT ?? 3000);
await buildElements();
// WSS_DEMO_DATA lets two demos run side by side (each needs its own data folder).
const dataDir = path.resolve(process.env.WSS_DEMO_DATA ?? '.data/demo-pg');
const database = await startDatabase({ dataDir, persistent: true });
const demo = await startDemoEnvironment({
  databaseUrl: database.url,
  port,
  simulatorPort: Number(process.env.SIM_PORT ?? 3001),
  startJobs: true,
  seedCapacityDemo: true,
  seedBindingsDemo: true,
});

console.log(`
  示例 CRM 已启动 / demo CRM running:  ${demo.url.replace('127.0.0.1', 'localhost')}
  WeCom 模拟器 / WeCom simulator:     ${demo.simulator.url.replace('127.0.0.1', 'localhost')}/sim/
  PostgreSQL: ${database.embedded ? `embedded (${path.relative(process.cwd(), dataDir)})` : 'DATABASE_URL'}
  Ctrl+C to stop.
`);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await demo.close();
  await database.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
