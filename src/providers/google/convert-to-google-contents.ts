import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ImagePart, Message } from '../../spec/message';
import { isHttpUrl, toInlineImage } from '../shared/image-data';
import type { GoogleContent, GooglePart } from './google-api-types';
import { googleSkipSignatureValidation } from './google-thought-signatures';

/** Gemini's split: one `systemInstruction`, then `contents` with roles user / model. */
export interface GooglePrompt {
  /** System messages joined as parts (undefined when there are none). */
  systemInstruction?: { parts: Array<{ text: string }> };
  /** The turns; tool results travel as `functionResponse` parts of user turns. */
  contents: GoogleContent[];
}

/** What the conversion needs besides the messages. */
export interface GoogleConversionOptions {
  /** Provider id, for errors. */
  provider: string;
  /** Model id: Gemini 3 models need a thought signature on the first function call of each model turn. */
  model: string;
  /** Finds the remembered thought signature of an earlier tool call. */
  lookupSignature?(toolCallId: string): string | undefined;
}

/** Converts the portable conversation into Gemini `contents` and `systemInstruction`. */
export function convertToGoogleContents(messages: Message[], options: GoogleConversionOptions): GooglePrompt {
  const { provider } = options;
  const system: Array<{ text: string }> = [];
  const contents: GoogleContent[] = [];
  // functionResponse parts must name the function; tool messages may omit it, so remember the calls.
  const toolNames = new Map<string, string>();
  const requiresSignature = /(^|\/)gemini-3/.test(options.model);

  // Gemini wants alternating turns; consecutive tool results and user text share one user turn.
  const push = (role: 'user' | 'model', parts: GooglePart[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
        if (message.content.length > 0) system.push({ text: message.content });
        break;
      case 'user': {
        const parts: GooglePart[] = [];
        if (typeof message.content === 'string') {
          if (message.content.length > 0) parts.push({ text: message.content });
        } else {
          for (const part of message.content) {
            if (part.type === 'text') {
              if (part.text.length > 0) parts.push({ text: part.text });
            } else if (part.type === 'image') {
              parts.push(convertImage(part, provider, index));
            } else {
              throw new InvalidRequestError(`${provider}: messages[${index}] has an unsupported user part type "${(part as { type: string }).type}"`, { provider });
            }
          }
        }
        push('user', parts);
        break;
      }
      case 'assistant': {
        const parts: GooglePart[] = [];
        let firstCall = true;
        const items = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
        for (const part of items) {
          if (part.type === 'text') {
            if (part.text.length > 0) parts.push({ text: part.text });
          } else if (part.type === 'tool-call') {
            toolNames.set(part.toolCallId, part.toolName);
            const args = isRecord(part.arguments) ? part.arguments : {};
            const converted: GooglePart = { functionCall: { name: part.toolName, args } };
            let signature = options.lookupSignature?.(part.toolCallId);
            // Parallel calls carry one signature, on the first call of the turn.
            if (!signature && firstCall && requiresSignature) signature = googleSkipSignatureValidation;
            if (signature) converted.thoughtSignature = signature;
            firstCall = false;
            parts.push(converted);
          } else if (part.type === 'reasoning') {
            // Gemini does not read earlier thought text back; its state travels in signatures instead.
          } else {
            throw new InvalidRequestError(`${provider}: messages[${index}] has an unsupported assistant part type "${(part as { type: string }).type}"`, { provider });
          }
        }
        push('model', parts);
        break;
      }
      case 'tool': {
        const name = message.toolName ?? toolNames.get(message.toolCallId);
        if (!name) {
          throw new InvalidRequestError(
            `${provider}: messages[${index}] (tool) answers toolCallId "${message.toolCallId}", which no earlier assistant message made; set toolName`,
            { provider },
          );
        }
        push('user', [{ functionResponse: { name, response: toFunctionResponse(message.content) } }]);
        break;
      }
      default:
        throw new InvalidRequestError(`${provider}: messages[${index}] has an unknown role "${(message as { role: string }).role}"`, { provider });
    }
  });

  if (contents.length === 0) {
    throw new InvalidRequestError(`${provider}: the conversation needs at least one user or assistant message besides the system prompt`, { provider });
  }
  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}

// `functionResponse.response` must be an object: a JSON object result goes as is, anything else is wrapped.
function toFunctionResponse(content: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(content);
    if (isRecord(parsed)) return parsed;
    return { result: parsed };
  } catch {
    return { result: content };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function convertImage(part: ImagePart, provider: string, index: number): GooglePart {
  if (typeof part.image === 'string' && (isHttpUrl(part.image) || /^gs:\/\//i.test(part.image))) {
    // Gemini fetches fileData URIs itself (uploaded files, gs:// on Vertex, public URLs on newer models).
    return { fileData: { mimeType: part.mediaType ?? guessImageType(part.image), fileUri: part.image } };
  }
  const { mediaType, data } = toInlineImage(part, provider, index);
  return { inlineData: { mimeType: mediaType, data } };
}

function guessImageType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const types: Record<string, string> = { png: 'image/png', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif' };
  return (extension && types[extension]) || 'image/jpeg';
}
