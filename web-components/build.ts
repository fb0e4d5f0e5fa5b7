/** Bundles the Lit elements into one ES module the host embeds (`npm run build:web`). */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export async function buildElements(): Promise<string> {
  const outfile = here('./dist/wss-elements.js');
  await build({
    entryPoints: [here('./index.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2021',
    minify: true,
    sourcemap: false,
    outfile,
    logLevel: 'warning',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildElements();
  console.log(`built ${out}`);
}
