// Ad-hoc: `node --cpu-prof --import tsx test/bench/profile-chat.ts` profiles chat() against the bench upstream.
import { benchRequest, createBenchManager } from './clients';
import { startUpstream } from './upstream-process';

const upstream = await startUpstream(null);
const manager = createBenchManager(upstream.url, process.argv.includes('--fetch') ? 'fetch' : 'pooled');
const deadline = performance.now() + Number(process.env.PROFILE_MS ?? 4000);
let calls = 0;
while (performance.now() < deadline) {
  await Promise.all(Array.from({ length: 16 }, () => manager.chat(benchRequest)));
  calls += 16;
}
await manager.close();
await upstream.stop();
console.log(`${calls} calls`);
