// Runtimes look these up to print an object; defining them lets us control what a dump shows without
// importing node:util (Node) or touching the Deno namespace.
export const nodeInspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
export const denoInspectSymbol: unique symbol = Symbol.for('Deno.customInspect') as never;

/** Makes `target` print as `text` under util.inspect / console.log in Node and Deno. */
export function defineInspection(target: object, text: () => string): void {
  for (const symbol of [nodeInspectSymbol, denoInspectSymbol]) {
    Object.defineProperty(target, symbol, { value: text, enumerable: false, configurable: false, writable: false });
  }
}
