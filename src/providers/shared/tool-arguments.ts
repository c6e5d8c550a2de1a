/**
 * Parses tool-call arguments. Empty text means `{}` (a call without arguments); text that is not JSON (a
 * call cut off by the output limit) is kept as the raw string rather than failing the whole answer.
 */
export function parseToolArguments(raw: string): unknown {
  if (raw.trim().length === 0) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Arguments of an earlier tool call as the JSON text a request replays; a raw string (unparsed arguments) goes as is. */
export function stringifyToolArguments(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}
