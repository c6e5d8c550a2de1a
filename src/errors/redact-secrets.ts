// Shapes of credentials that providers (or careless callers) put into messages: OpenAI/Anthropic/
// OpenRouter/Groq style prefixed keys, Google API keys, bearer tokens, and long opaque tokens.
const patterns: RegExp[] = [
  /\b(sk|pk|rk|gsk|xai|csk|sess)[-_][A-Za-z0-9_\-*.]{8,}/g,
  /\bAIza[0-9A-Za-z_\-]{20,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=\-]{8,}/gi,
  /\b[A-Za-z0-9]{40,}\b/g,
];

/** Replaces anything that looks like an API key in `text` with `[redacted]`. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const pattern of patterns) result = result.replace(pattern, '[redacted]');
  return result;
}
