import { describe, expect, it } from 'vitest';
import { summarise } from './summary-reporter.js';

const test = (state: string) => ({ result: () => ({ state }) });
const file = (moduleId: string, state: 'passed' | 'failed' | 'skipped', tests: string[], errors = 0) => ({
  moduleId,
  state: () => state,
  errors: () => Array.from({ length: errors }, () => ({ message: 'boom' })) as never,
  children: { allTests: () => tests.map(test) },
});

describe('the closing line CI reads', () => {
  it('counts a file whose hook threw (its tests skipped) as a failure', () => {
    const result = summarise([
      file('ok.test.ts', 'passed', ['passed', 'passed']),
      // beforeAll threw (chromium missing): every test skipped, the file failed.
      file('browser.test.ts', 'failed', ['skipped', 'skipped', 'skipped'], 1),
      // did not load at all: no tests.
      file('broken.test.ts', 'failed', [], 1),
    ]);
    expect(result).toEqual({ passed: 2, failed: 2, skipped: 3, failedFiles: ['browser.test.ts', 'broken.test.ts'] });
  });

  it('counts failed tests once, not once more for their file', () => {
    const result = summarise([file('a.test.ts', 'failed', ['failed', 'failed', 'passed'])]);
    expect(result).toEqual({ passed: 1, failed: 2, skipped: 0, failedFiles: ['a.test.ts'] });
  });
});
