/** An id (`call_` and 24 hex digits) for a tool call the server sent without one, so its result can answer it. */
export function generateToolCallId(): string {
  return `call_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
}
