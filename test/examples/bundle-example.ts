// Bundles a runtime example (Deno, Cloudflare Worker) with esbuild so it runs against the sources, as a user's
// bundler (wrangler, `deno bundle`, …) would run it against the published package. `llm-switchyard` maps to the
// portable entry (src/index.ts, not the Node one) and `llm-switchyard/<entry>` to src/<entry>/index.ts, exactly
// as the package's non-node `exports` do for dist/. Not a test file (vitest collects *.test.ts only).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

const packageFromSources: Plugin = {
  name: 'llm-switchyard-from-sources',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^llm-switchyard(\/.*)?$/ }, (args) => {
      const subpath = args.path.slice('llm-switchyard'.length);
      const path = subpath === '' ? `${root}src/index.ts` : `${root}src${subpath}/index.ts`;
      if (!existsSync(path)) return { errors: [{ text: `${args.path} is not an entry of the package (no ${path})` }] };
      return { path };
    });
  },
};

/** Options of `bundleExample`. */
export interface BundleExampleOptions {
  /** The example's entry, relative to the repository root. */
  entry: string;
  /** Export conditions of the target runtime, most specific first (`['workerd', 'worker', 'browser']`). */
  conditions: string[];
}

/** One ES module with the example, the package sources and their dependencies inlined. */
export async function bundleExample(options: BundleExampleOptions): Promise<string> {
  const result = await build({
    entryPoints: [`${root}${options.entry}`],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: [...options.conditions, 'import', 'default'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [packageFromSources],
  });
  return result.outputFiles[0]!.text;
}
