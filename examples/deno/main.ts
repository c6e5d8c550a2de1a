// llm-switchyard on Deno 2: a chat, a stream, and the key vault (AES-256-GCM through crypto.subtle).
//   cd examples/deno && deno task start
// With OPENAI_API_KEY set it calls OpenAI (OPENAI_BASE_URL moves it, to a proxy or a local stand-in);
// without, the mock provider answers, so the example runs offline. Narrow --allow-net to the hosts you call.
import { createLLMManager, LLMError, type LanguageModelProvider } from 'llm-switchyard';
import { createOpenAI } from 'llm-switchyard/providers';
import { createMockProvider } from 'llm-switchyard/testing';
import { createKeyVault } from 'llm-switchyard/vault';

// The slice of the Deno namespace this file uses, so the repository's Node-typed `tsc` checks it too.
// In a Deno project delete these lines: Deno's own types declare it.
declare const Deno: {
  env: { get(name: string): string | undefined };
  stdout: { write(bytes: Uint8Array): Promise<number> };
  exitCode: number;
};

const apiKey = Deno.env.get('OPENAI_API_KEY');
const provider: LanguageModelProvider = apiKey
  ? createOpenAI({ apiKey, baseUrl: Deno.env.get('OPENAI_BASE_URL') })
  : createMockProvider({ id: 'mock', replies: [{ text: 'Deno runs TypeScript natively.' }, { text: 'One, two, three, four, five.' }] });
const model = apiKey ? 'openai:gpt-4.1-nano' : 'mock:mock-model';
console.log(`provider: ${provider.id}${apiKey ? '' : ' (no OPENAI_API_KEY: the mock answers)'}`);

const llm = createLLMManager({ providers: [provider], timeoutMs: 30_000 });
const write = (text: string) => Deno.stdout.write(new TextEncoder().encode(text));

try {
  const answer = await llm.chat({ model, userId: 'deno-user', messages: [{ role: 'user', content: 'Why Deno, in one sentence?' }] });
  console.log(`\n[chat] ${answer.provider}:${answer.model}, ${answer.usage.inputTokens} in / ${answer.usage.outputTokens} out`);
  console.log(answer.text);

  await write('\n[stream] ');
  const stream = llm.stream({ model, userId: 'deno-user', messages: [{ role: 'user', content: 'Count to five.' }] });
  let parts = 0;
  for await (const part of stream) {
    if (part.type === 'text-delta') {
      parts += 1;
      await write(part.text);
    }
  }
  const streamed = await stream.result;
  console.log(`\n[stream] ${parts} text parts, finish ${streamed.finishReason}, ${streamed.usage.outputTokens} output tokens`);

  // The vault: a 32-byte master key (generated here; keep yours in a secret store) and a binding that ties
  // the ciphertext to one owner, provider and record, so it cannot be replayed elsewhere.
  const masterKey = Deno.env.get('SWITCHYARD_MASTER_KEY') ?? [...crypto.getRandomValues(new Uint8Array(32))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const vault = createKeyVault({ masterKey });
  const binding = { ownerId: 'user-1', provider: 'openai', recordId: 'provider-config:user-1:openai' };
  const secret = 'sk-proj-example-not-a-real-key-0123456789';
  const ciphertext = await vault.encrypt(secret, binding);
  console.log(`\n[vault] encrypted under key id '${vault.keyIdOf(ciphertext)}': ${ciphertext.slice(0, 12)}… (${ciphertext.length} chars)`);
  console.log(`[vault] decrypts for its binding: ${(await vault.decrypt(ciphertext, binding)) === secret}`);
  try {
    await vault.decrypt(ciphertext, { ...binding, ownerId: 'user-2' });
    console.log('[vault] decrypted for another owner (this must not happen)');
  } catch (error) {
    console.log(`[vault] for another owner: ${LLMError.isInstance(error) ? error.name : 'unexpected error'}`);
  }
} catch (error) {
  console.error(LLMError.isInstance(error) ? `${error.name}: ${error.message}` : error);
  Deno.exitCode = 1;
} finally {
  await llm.close();
}
