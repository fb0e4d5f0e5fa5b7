import type { Reporter, TestModule } from 'vitest/node';

type ModuleLike = Pick<TestModule, 'state' | 'errors' | 'moduleId'> & { children: { allTests(): Iterable<{ result(): { state: string } }> } };

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  failedFiles: string[];
}

/**
 * Counts tests, and counts a test file that failed as a whole (it did not load, or a hook threw)
 * as failed even when none of its tests is marked failed: a suite that never ran must not read as green.
 */
export function summarise(modules: readonly ModuleLike[]): RunSummary {
  const summary: RunSummary = { passed: 0, failed: 0, skipped: 0, failedFiles: [] };
  for (const module of modules) {
    let failedHere = 0;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') summary.passed++;
      else if (state === 'failed') failedHere++;
      else summary.skipped++;
    }
    const fileFailed = module.state() === 'failed' || module.errors().length > 0;
    if (fileFailed || failedHere) summary.failedFiles.push(module.moduleId);
    summary.failed += failedHere || (fileFailed ? 1 : 0);
  }
  return summary;
}

/** Prints the plain closing line CI reads: `tests: N passed, N failed, N skipped`, and the failed files. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const s = summarise(testModules);
    const files = s.failedFiles.length ? `\nfailed files (${s.failedFiles.length}):\n${s.failedFiles.map((f) => `  ${f}`).join('\n')}` : '';
    process.stdout.write(`${files}\ntests: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped\n`);
  }
}
