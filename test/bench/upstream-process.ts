import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { UpstreamControl } from './harness';

/** The running upstream process. */
export interface UpstreamProcess {
  url: string;
  control: UpstreamControl;
  /** SSE events (data lines, without [DONE]) of the short and the long stream. */
  shortEvents: number;
  longEvents: number;
  /** The core it is pinned to, or null when not pinned. */
  pinnedCore: number | null;
  stop(): Promise<void>;
}

/** `taskset` exists and the machine has at least two cores to keep client and upstream apart. */
export function canPin(): boolean {
  if (process.platform !== 'linux' || availableParallelism() < 2) return false;
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts test/bench/upstream-server.ts in its own node process, pinned to `core` when given. */
export async function startUpstream(core: number | null): Promise<UpstreamProcess> {
  const script = fileURLToPath(new URL('./upstream-server.ts', import.meta.url));
  const nodeArguments = ['--import', 'tsx', script];
  const child: ChildProcess =
    core === null
      ? spawn(process.execPath, nodeArguments, { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('taskset', ['-c', String(core), process.execPath, ...nodeArguments], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<{ port: number; shortChunks: number; longChunks: number }>((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`upstream exited early with code ${code}`)));
    child.stdout!.on('data', (part: Buffer) => {
      buffered += part.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(buffered.slice(0, newline)));
    });
  });
  const url = `http://127.0.0.1:${first.port}`;
  const call = async (path: string, method: 'GET' | 'POST') => {
    const response = await fetch(`${url}${path}`, { method });
    return response.status === 204 ? undefined : response.json();
  };
  return {
    url,
    shortEvents: first.shortChunks - 1,
    longEvents: first.longChunks - 1,
    pinnedCore: core,
    control: {
      stats: () => call('/control/stats', 'GET') as Promise<{ counts: Record<string, number>; held: number }>,
      reset: async () => void (await call('/control/reset', 'POST')),
      release: async () => void (await call('/control/release', 'POST')),
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
