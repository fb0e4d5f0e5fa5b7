import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
/** Folders of the plugin that are not features: every feature may use them, file by file. */
const PLATFORM = new Set(['plugin', 'plugin/core', 'plugin/access', 'plugin/http', 'plugin/host', 'plugin/contract', 'plugin/db', 'plugin/manifest', 'jobs', 'migrations']);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** Relative imports of a file, as repository paths (`.js` specifiers point at `.ts` sources). */
function importsOf(file: string): string[] {
  const source = readFileSync(path.join(root, file), 'utf8');
  return [...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*'(\.[^']+)'/gm)].map((m) =>
    path.relative(root, path.resolve(path.dirname(path.join(root, file)), m[1])).replace(/\.js$/, '.ts'),
  );
}

const shipped = [...sourceFiles('plugin'), ...sourceFiles('jobs'), ...sourceFiles('migrations')];
const edges = shipped.flatMap((from) => importsOf(from).map((to) => ({ from, to })));
const folderOf = (file: string) => path.dirname(file);
const featureOf = (file: string) => (PLATFORM.has(folderOf(file)) ? null : folderOf(file));

describe('the layout a newcomer reads', () => {
  it('reads the imports of every shipped file (the walk is not empty)', () => {
    expect(shipped.length).toBeGreaterThan(80);
    expect(edges.length).toBeGreaterThan(200);
  });

  it('ships nothing that imports the simulator, the demo, the tests, the benches or the elements', () => {
    const outside = edges.filter((e) => /^(simulator|demo|test|bench|web-components)\//.test(e.to));
    expect(outside).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      const [a, b] = [folderOf(from), folderOf(to)];
      if (a === b) continue;
      if (!graph.has(a)) graph.set(a, new Set());
      graph.get(a)!.add(b);
    }
    const cycles: string[][] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles.map((c) => c.join(' → '))).toEqual([]);
  });

  it('lets a feature reach another feature only through its front door (index.ts)', () => {
    const intruding = edges.filter(({ from, to }) => {
      const [a, b] = [featureOf(from), featureOf(to)];
      return b !== null && a !== b && path.basename(to) !== 'index.ts';
    });
    expect(intruding.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('gives every feature a front door that returns its declared service, routes and jobs', () => {
    const features = [...new Set(shipped.map(featureOf).filter((f): f is string => f !== null))].sort();
    expect(features.length).toBeGreaterThanOrEqual(9);
    for (const feature of features.filter((f) => f !== 'plugin/wecom')) {
      const index = readFileSync(path.join(root, feature, 'index.ts'), 'utf8');
      expect(index, feature).toMatch(/export function create\w+Feature\(/);
      expect(index, feature).toMatch(/\): Feature<\w+Service>/);
    }
  });
});
