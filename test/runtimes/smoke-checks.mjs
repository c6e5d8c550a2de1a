// Runtime smoke checks of the built package. Portable: web standards only, so the same file runs in Node,
// Deno, Bun, workerd and edge-runtime. Each runtime's entry loads the build and calls runSmokeChecks().

/**
 * @typedef {object} SmokeApi  What the build exposes (looked up across its entry points).
 * @property {Function} createLLMManager
 * @property {Function} [createOpenAI]
 * @property {Function} [createKeyVault]
 * @property {Function} [createMemoryStorage]
 * @property {{ isInstance(value: unknown): boolean }} [LLMError]
 *
 * @typedef {object} SmokeFixtures  The recorded OpenAI answers and what they must decode to.
 * @property {string} json         body of openai/openai-text.json
 * @property {string} sse          openai/openai-text.chunks.txt framed with recipe A
 * @property {string} expectedText       text of the JSON answer
 * @property {string} expectedStreamText text of the stream
 *
 * @typedef {{ name: string, status: 'pass' | 'fail' | 'skip', detail: string }} SmokeCheck
 */

/** A fetch that answers like the loopback server, for runtimes that cannot reach 127.0.0.1. */
export function createFixtureFetch(fixtures) {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = JSON.parse(init?.body ?? '{}');
    if (url.includes('/fail/')) {
      return new Response(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }), {
        status: 401,
        headers: { 'content-type': 'application/json' },
      });
    }
    if (!body.stream) return new Response(fixtures.json, { headers: { 'content-type': 'application/json' } });
    // Stream the SSE in small pieces so events are cut across reads, as on a real socket.
    const bytes = new TextEncoder().encode(fixtures.sse);
    let offset = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + 997));
        offset += 997;
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  };
}

async function check(results, name, run) {
  try {
    const detail = await run();
    if (typeof detail === 'string' && detail.startsWith('skip:')) results.push({ name, status: 'skip', detail: detail.slice(5).trim() });
    else results.push({ name, status: 'pass', detail: detail ?? '' });
  } catch (error) {
    results.push({ name, status: 'fail', detail: `${error?.name ?? 'Error'}: ${describe(error)}` });
  }
}

/** An error with the first attempt's message, which the manager's AllProvidersFailedError otherwise hides. */
function describe(error) {
  const attempt = error?.attempts?.[0];
  return `${error?.message ?? String(error)}${attempt ? ` [attempt: ${attempt.errorClass} ${attempt.httpStatus ?? ''} ${attempt.errorMessage ?? ''}]` : ''}`;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Runs the checks: import, chat, stream, a typed provider error, vault encrypt/decrypt, memory storage.
 * @param {{ api: SmokeApi, baseUrl: string, fixtures: SmokeFixtures, useFixtureFetch?: boolean }} options
 * @returns {Promise<SmokeCheck[]>}
 */
export async function runSmokeChecks({ api, baseUrl, fixtures, useFixtureFetch = false }) {
  const results = [];
  const transport = useFixtureFetch ? 'fixture fetch stub' : `loopback ${baseUrl}`;
  await check(results, 'import', async () => {
    assert(typeof api.createLLMManager === 'function', 'createLLMManager is not exported');
    return `createLLMManager and ${Object.keys(api).length - 1} other names found`;
  });

  const managerFor = (route) => {
    const options = {
      providers: [api.createOpenAI({ apiKey: 'sk-smoke-0000000000000000', baseUrl: `${baseUrl}/${route}/v1` })],
      timeoutMs: 10_000,
    };
    if (useFixtureFetch) options.fetch = createFixtureFetch(fixtures);
    return api.createLLMManager(options);
  };

  await check(results, 'chat', async () => {
    if (typeof api.createOpenAI !== 'function') return 'skip: createOpenAI is not in the build';
    const manager = managerFor('ok');
    const result = await manager.chat({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] });
    // The ledger row, read back from the default storage (loaded on first use by a dynamic import).
    const ledger = await manager.usage.recent({ limit: 5 });
    await manager.close();
    assert(result.text === fixtures.expectedText, `text differs: ${JSON.stringify(result.text.slice(0, 60))}`);
    assert(result.finishReason === 'stop', `finishReason ${result.finishReason}`);
    assert(result.usage.inputTokens > 0 && result.usage.outputTokens > 0, 'usage missing');
    assert(ledger.length === 1 && ledger[0].outputTokens === result.usage.outputTokens, `ledger has ${ledger.length} rows`);
    return `${result.text.length} chars, ${result.usage.outputTokens} output tokens via ${transport}, 1 ledger row`;
  });

  await check(results, 'stream', async () => {
    if (typeof api.createOpenAI !== 'function') return 'skip: createOpenAI is not in the build';
    const manager = managerFor('ok');
    let text = '';
    let parts = 0;
    let last;
    for await (const part of manager.stream({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] })) {
      parts++;
      last = part;
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'error') throw part.error;
    }
    await manager.close();
    assert(last?.type === 'finish', `last part was ${last?.type}`);
    assert(text === fixtures.expectedStreamText, `streamed text differs (${text.length} vs ${fixtures.expectedStreamText.length} chars)`);
    return `${parts} parts, ${text.length} chars via ${transport}`;
  });

  await check(results, 'typed provider error', async () => {
    if (typeof api.createOpenAI !== 'function') return 'skip: createOpenAI is not in the build';
    const manager = managerFor('fail');
    try {
      await manager.chat({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] });
    } catch (error) {
      await manager.close();
      assert(api.LLMError?.isInstance(error), `not an LLMError: ${error?.name}`);
      assert(!JSON.stringify(error).includes('sk-smoke-0000000000000000'), 'the API key leaked into the error');
      // Either the typed error itself or, when the manager wraps it, the one attempt it made.
      const attempt = error.attempts?.[0];
      const name = error.name === 'AuthenticationError' ? error.name : attempt?.errorClass;
      const status = error.status ?? attempt?.httpStatus;
      assert(name === 'AuthenticationError' && status === 401, `expected AuthenticationError 401, got ${error.name}: ${describe(error)}`);
      return `${error.name}${error.name === name ? '' : ` of ${name}`} (status ${status})`;
    }
    throw new Error('a 401 did not throw');
  });

  await check(results, 'vault encrypt/decrypt', async () => {
    if (typeof api.createKeyVault !== 'function') return 'skip: createKeyVault is not in the build';
    const vault = api.createKeyVault({ masterKey: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' });
    const binding = { ownerId: 'user-1', provider: 'openai', recordId: 'record-1' };
    const secret = 'sk-proj-smoke-secret-value-1234567890';
    const ciphertext = await vault.encrypt(secret, binding);
    assert(!ciphertext.includes(secret), 'ciphertext contains the plaintext');
    assert((await vault.decrypt(ciphertext, binding)) === secret, 'round trip failed');
    let refused = false;
    try {
      await vault.decrypt(ciphertext, { ...binding, ownerId: 'user-2' });
    } catch (error) {
      refused = error?.name === 'VaultError';
    }
    assert(refused, 'a ciphertext bound to another owner decrypted (or failed without VaultError)');
    return `AES-256-GCM via crypto.subtle, ${ciphertext.length}-char ciphertext, foreign binding refused`;
  });

  await check(results, 'memory storage', async () => {
    if (typeof api.createMemoryStorage !== 'function') return 'skip: createMemoryStorage is not in the build';
    const storage = api.createMemoryStorage();
    const record = {
      id: 'request-1:1', time: Date.now(), userId: 'user-1', feature: 'smoke', provider: 'openai', model: 'gpt-4.1-nano', keySource: 'managed',
      inputTokens: 19, outputTokens: 240, cachedInputTokens: 0, reasoningTokens: 0, costMicroUsd: 98, priceTableVersion: 'smoke',
      latencyMs: 800, status: 'success', cached: false, attemptNumber: 1, requestId: 'request-1', estimated: false,
    };
    await storage.appendUsage([record]);
    await storage.appendUsage([record]); // idempotent by id
    const rows = await storage.queryUsage({ userId: 'user-1', limit: 10 });
    assert(rows.length === 1 && rows[0].outputTokens === 240, `expected 1 row, got ${rows.length}`);
    await storage.close?.();
    return 'appendUsage (idempotent) + queryUsage';
  });
  return results;
}

/** Module specifiers (relative to the build folder) that may hold each name, first match wins. */
export const buildEntries = ['index.js', 'providers/index.js', 'vault/index.js', 'storage/memory/index.js'];
export const apiNames = ['createLLMManager', 'createOpenAI', 'createKeyVault', 'createMemoryStorage', 'LLMError'];

/** Picks the API out of the loaded entry modules (the root first). */
export function pickApi(modules) {
  const api = {};
  for (const name of apiNames) {
    for (const module of modules) {
      if (module && name in module) {
        api[name] = module[name];
        break;
      }
    }
  }
  return api;
}
