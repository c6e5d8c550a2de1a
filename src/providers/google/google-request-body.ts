import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ProviderChatCall } from '../../spec/chat';
import type { ToolChoice } from '../../spec/tool';
import { collectProviderOptions, mergeProviderOptions } from '../shared/merge-provider-options';
import { toJsonSchema } from '../shared/to-json-schema';
import { convertToGoogleContents } from './convert-to-google-contents';
import { convertToGoogleSchema } from './convert-to-google-schema';

/** What the builder needs besides the call. */
export interface GoogleRequestSettings {
  /** Provider instance id (its `providerOptions` key is merged after `google`). */
  providerId: string;
  /** Finds the remembered thought signature of an earlier tool call. */
  lookupSignature?(toolCallId: string): string | undefined;
}

/**
 * Builds a `generateContent` / `streamGenerateContent` body. JSON output uses Gemini's native
 * `responseMimeType: application/json`, plus `responseSchema` (converted to Gemini's subset) for a schema.
 */
export function buildGoogleRequest(call: ProviderChatCall, settings: GoogleRequestSettings): Record<string, unknown> {
  const provider = settings.providerId;
  const { systemInstruction, contents } = convertToGoogleContents(call.messages, {
    provider,
    model: call.model,
    lookupSignature: settings.lookupSignature,
  });
  const body: Record<string, unknown> = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;

  if (call.tools && call.tools.length > 0) {
    const functionDeclarations = call.tools.map((tool) => {
      const schema = toJsonSchema(tool.parameters);
      if (schema.type !== undefined && schema.type !== 'object') {
        throw new InvalidRequestError(`${provider}: tool "${tool.name}" parameters must be an object schema (got type "${String(schema.type)}")`, { provider });
      }
      const parameters = convertToGoogleSchema(schema);
      return { name: tool.name, ...(tool.description ? { description: tool.description } : {}), ...(parameters ? { parameters } : {}) };
    });
    body.tools = [{ functionDeclarations }];
    if (call.toolChoice) body.toolConfig = { functionCallingConfig: convertToolChoice(call.toolChoice) };
  }

  const generationConfig: Record<string, unknown> = {};
  if (call.temperature !== undefined) generationConfig.temperature = call.temperature;
  if (call.topP !== undefined) generationConfig.topP = call.topP;
  if (call.maxTokens !== undefined) generationConfig.maxOutputTokens = call.maxTokens;
  if (call.stop && call.stop.length > 0) generationConfig.stopSequences = call.stop;
  if (call.seed !== undefined) generationConfig.seed = call.seed;
  const format = call.responseFormat;
  if (format && format.type !== 'text') {
    generationConfig.responseMimeType = 'application/json';
    if (format.type === 'json-schema') {
      const schema = convertToGoogleSchema(toJsonSchema(format.schema));
      if (schema) generationConfig.responseSchema = schema;
    }
  }
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;

  mergeProviderOptions(body, collectProviderOptions(call.providerOptions, { wireFormat: 'google', provider }));
  return body;
}

function convertToolChoice(choice: ToolChoice): Record<string, unknown> {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}
