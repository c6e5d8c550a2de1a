// `npm run bench` — every metric of issue 7 against its baseline, in one run. See docs/benchmarks.md.
//   --only=latency,streaming   run some groups      --quick   small rounds (checks the harness, not the numbers)
//   --out=path.json            default bench-results.json in the repository root
//   --fail-on-broken           exit 1 when a group threw or left unhandled rejections (CI, with --quick)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runCache } from './cache';
import { runCpu } from './cpu';
import { runFallback } from './fallback';
import { collectGarbage, type BenchContext, type BenchResult } from './harness';
import { runHeap } from './heap';
import { runLatency } from './latency';
import { runLedgerStorage } from './ledger-storage';
import { runLimits } from './limits';
import { runSizeAndImport } from './size-and-import';
import { runStreaming } from './streaming';
import { runThroughput } from './throughput';
import { canPin, startUpstream } from './upstream-process';
import { runUsage } from './usage';

const groups: Record<string, (context: BenchContext) => Promise<BenchResult[]>> = {
  latency: runLatency,
  cpu: runCpu,
  throughput: runThroughput,
  streaming: runStreaming,
  cache: runCache,
  fallback: runFallback,
  usage: runUsage,
  ledger: runLedgerStorage,
  limits: runLimits,
  heap: runHeap,
  size: runSizeAndImport,
};

const argumentsGiven = process.argv.slice(2);
const option = (name: string) => argumentsGiven.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1];
const quick = argumentsGiven.includes('--quick');
// CI runs `--quick --fail-on-broken`: the harness must keep working, whatever the figures.
const failOnBroken = argumentsGiven.includes('--fail-on-broken');
const only = option('only')?.split(',');
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const outputPath = option('out') ?? `${repositoryRoot}bench-results.json`;

// Pin the client to core 0 (the upstream gets core 1) by re-running this script under taskset once.
if (canPin() && process.env.SWITCHYARD_BENCH_PINNED !== '1') {
  const child = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...argumentsGiven], {
    stdio: 'inherit',
    env: { ...process.env, SWITCHYARD_BENCH_PINNED: '1' },
  });
  process.exit(child.status ?? 1);
}

function formatNumber(value: number | null): string {
  if (value === null) return '—';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(4)));
}

function printTable(results: BenchResult[]): void {
  const rows = results.map((result) => [
    result.name,
    result.value === null ? 'not measured' : `${formatNumber(result.value)} ${result.unit}`,
    result.baseline === null ? '' : `${formatNumber(result.baseline)} ${result.unit}`,
    result.ratio === null ? '' : formatNumber(result.ratio),
    result.target ?? '',
    result.meetsTarget === null ? '' : result.meetsTarget ? 'yes' : 'NO',
  ]);
  const header = ['metric', 'value', 'baseline', 'ratio', 'target', 'meets'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  for (const row of rows) console.log(line(row));
  const notes = results.filter((result) => result.note);
  if (notes.length > 0) {
    console.log('\nnotes:');
    for (const result of notes) console.log(`- ${result.name}: ${result.note}`);
  }
}

// A stray rejection inside a component must not kill the run and lose every figure measured so far.
const strayErrors: string[] = [];
process.on('unhandledRejection', (reason) => {
  strayErrors.push(String((reason as Error)?.stack?.split('\n').slice(0, 2).join(' ') ?? reason));
});

async function main(): Promise<string[]> {
  const pinned = process.env.SWITCHYARD_BENCH_PINNED === '1';
  const upstream = await startUpstream(pinned ? 1 : null);
  const context: BenchContext = { upstreamUrl: upstream.url, upstream: upstream.control, quick };
  const results: BenchResult[] = [];
  const startedAt = performance.now();
  console.log(
    `llm-switchyard bench — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ` +
      `${pinned ? 'client pinned to core 0, upstream to core 1' : 'not pinned (no taskset or < 2 cores)'}${quick ? ', QUICK' : ''}`,
  );
  try {
    for (const [name, run] of Object.entries(groups)) {
      if (only && !only.includes(name)) continue;
      // Each group starts from a collected heap. The throughput group ends with ~250 MB that a full
      // collection frees (264 MB → 30); left in place, it is swept during the next group's rounds, by
      // whichever variant triggers the collection. Inside a group collection runs as in a service.
      collectGarbage();
      const groupStartedAt = performance.now();
      process.stdout.write(`[${name}] `);
      try {
        const strayBefore = strayErrors.length;
        const groupResults = await run(context);
        results.push(...groupResults);
        if (strayErrors.length > strayBefore) {
          results.push({
            name: `${name} (unhandled rejections)`, value: strayErrors.length - strayBefore, unit: 'errors', baseline: null, ratio: null,
            target: '== 0', meetsTarget: false, note: strayErrors.slice(strayBefore, strayBefore + 3).join(' || '),
          });
        }
      } catch (error) {
        // A group that breaks (a component mid-change) is reported, never silently dropped.
        results.push({
          name: `${name} (group failed)`, value: null, unit: '', baseline: null, ratio: null, target: null, meetsTarget: null,
          note: `not measured: the group threw ${(error as Error)?.stack?.split('\n').slice(0, 3).join(' ') ?? String(error)}`,
        });
      }
      console.log(`${((performance.now() - groupStartedAt) / 1000).toFixed(1)} s`);
      writeFileSync(outputPath, `${JSON.stringify(results, null, 2)}\n`); // partial results survive a crash
    }
  } finally {
    await upstream.stop();
  }
  console.log(`\ntotal ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);
  printTable(results);
  writeFileSync(outputPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${outputPath}`);
  return results.filter((result) => result.name.endsWith('(group failed)') || result.name.endsWith('(unhandled rejections)')).map((result) => result.name);
}

const broken = (await main()) ?? [];
if (failOnBroken && broken.length > 0) {
  console.error(`bench: ${broken.length} broken row(s): ${broken.join(', ')}`);
  process.exit(1);
}
// Sockets of clients a group did not close must not keep the process alive.
process.exit(0);
