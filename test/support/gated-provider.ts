// A provider wrapper that holds every chat call until the test lets it through, and counts how many
// calls are inside the provider at once. Deterministic: no timers, the test decides when calls finish.
import type { ProviderChatCall } from '../../src/spec/chat';
import type { LanguageModelProvider, ProviderCallContext } from '../../src/spec/provider';

export interface GatedProvider {
  /** The provider to hand to the manager. */
  provider: LanguageModelProvider;
  /** Calls inside the provider right now. */
  readonly inFlight: number;
  /** The most calls that were ever inside the provider at once. */
  readonly maxInFlight: number;
  /** The most calls of one group (the user message's text before its first `:`) inside at once. */
  maxInFlightOf(group: string): number;
  /** The text of the last user message of every call, in the order calls entered the provider. */
  readonly entered: readonly string[];
  /** Lets the oldest held call finish. */
  releaseOne(): void;
  /** Resolves once `count` calls have entered the provider in total. */
  waitForEntered(count: number): Promise<void>;
}

function lastUserText(call: ProviderChatCall): string {
  const message = [...call.messages].reverse().find((entry) => entry.role === 'user');
  return typeof message?.content === 'string' ? message.content : '';
}

export function createGatedProvider(inner: LanguageModelProvider): GatedProvider {
  let inFlight = 0;
  let maxInFlight = 0;
  const groupInFlight = new Map<string, number>();
  const groupMax = new Map<string, number>();
  const entered: string[] = [];
  const held: Array<() => void> = [];
  let pendingReleases = 0;
  const watchers: Array<{ count: number; resolve: () => void }> = [];

  const notify = () => {
    for (const watcher of [...watchers]) {
      if (entered.length >= watcher.count) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };

  const gate = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (pendingReleases > 0) {
        pendingReleases -= 1;
        resolve();
        return;
      }
      const open = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = held.indexOf(open);
        if (index >= 0) held.splice(index, 1);
        reject(signal!.reason);
      };
      held.push(open);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  const provider: LanguageModelProvider = {
    ...inner,
    async chat(call: ProviderChatCall, context: ProviderCallContext) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const text = lastUserText(call);
      const group = text.split(':')[0]!;
      groupInFlight.set(group, (groupInFlight.get(group) ?? 0) + 1);
      groupMax.set(group, Math.max(groupMax.get(group) ?? 0, groupInFlight.get(group)!));
      entered.push(text);
      notify();
      try {
        await gate(context.signal);
        return await inner.chat(call, context);
      } finally {
        inFlight -= 1;
        groupInFlight.set(group, groupInFlight.get(group)! - 1);
      }
    },
  };

  return {
    provider,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    maxInFlightOf: (group) => groupMax.get(group) ?? 0,
    entered,
    releaseOne() {
      const next = held.shift();
      if (next) next();
      else pendingReleases += 1;
    },
    waitForEntered(count) {
      return new Promise((resolve) => {
        watchers.push({ count, resolve });
        notify();
      });
    },
  };
}
