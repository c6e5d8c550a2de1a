import type { GooglePartialArgument } from './google-api-types';

/**
 * Applies Vertex `partialArgs` fragments to the arguments being assembled. Each fragment addresses a
 * value by JSON path (`$.location`, `$.items[0].name`); string values arrive in pieces and are appended.
 */
export function applyGooglePartialArguments(target: Record<string, unknown>, fragments: GooglePartialArgument[]): void {
  for (const fragment of fragments) {
    const path = parseJsonPath(fragment.jsonPath ?? '');
    if (path.length === 0) continue;
    if (fragment.stringValue !== undefined) {
      const current = readPath(target, path);
      writePath(target, path, (typeof current === 'string' ? current : '') + fragment.stringValue);
    } else if (fragment.numberValue !== undefined) writePath(target, path, fragment.numberValue);
    else if (fragment.boolValue !== undefined) writePath(target, path, fragment.boolValue);
    else if ('nullValue' in fragment) writePath(target, path, null);
  }
}

type Segment = string | number;

function parseJsonPath(path: string): Segment[] {
  const segments: Segment[] = [];
  const pattern = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[['"]((?:[^'"\\]|\\.)*)['"]\]/g;
  if (!path.startsWith('$')) return segments;
  let match: RegExpExecArray | null;
  pattern.lastIndex = 1;
  while ((match = pattern.exec(path)) !== null) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(match[3]);
  }
  return segments;
}

function readPath(root: unknown, path: Segment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function writePath(root: Record<string, unknown>, path: Segment[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = path[index + 1];
    if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = typeof next === 'number' ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
}
