import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the test command', () => {
  it('exits non-zero when a test fails, although the embedded PostgreSQL hooks the process exit', () => {
    const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/support/failing-run/vitest.config.ts'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stdout + run.stderr).toMatch(/1 failed/);
    expect(run.status).toBe(1);
  }, 130_000);
});
