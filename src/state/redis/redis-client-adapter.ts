import { ConfigurationError } from '../../errors/configuration-error';

/** The slice of ioredis (v5/v6) the Redis state store calls. */
export interface IoRedisClientSlice {
  /** `EVAL script numkeys key... arg...` */
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  /** `EVALSHA sha numkeys key... arg...` */
  evalsha(sha: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  /** Any command by name. */
  call(command: string, ...commandArguments: string[]): Promise<unknown>;
}

/** The slice of node-redis (v4/v5) the Redis state store calls. */
export interface NodeRedisClientSlice {
  /** `EVAL` with keys and arguments as options. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** `EVALSHA` with keys and arguments as options. */
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Any command as an argument vector. */
  sendCommand(commandArguments: string[]): Promise<unknown>;
}

/** Either client. */
export type RedisClientSlice = IoRedisClientSlice | NodeRedisClientSlice;

/** What the store needs from any client: scripts with their SHA, and plain commands. */
export interface RedisScriptClient {
  /** Which client was detected. */
  readonly flavour: 'ioredis' | 'node-redis';
  /** Run a script by SHA; rejects with the server's NOSCRIPT error when the server does not know it. */
  evalSha(sha: string, keys: string[], scriptArguments: string[]): Promise<unknown>;
  /** Run a script by source (also caches it on the server). */
  evalScript(script: string, keys: string[], scriptArguments: string[]): Promise<unknown>;
  /** Run a plain command. */
  command(commandArguments: string[]): Promise<unknown>;
}

function isNodeRedis(client: object): client is NodeRedisClientSlice {
  const candidate = client as Partial<NodeRedisClientSlice>;
  return typeof candidate.evalSha === 'function' && typeof candidate.sendCommand === 'function';
}

function isIoRedis(client: object): client is IoRedisClientSlice {
  const candidate = client as Partial<IoRedisClientSlice>;
  return typeof candidate.evalsha === 'function' && typeof candidate.call === 'function';
}

/** Wrap an ioredis or node-redis client; anything else is a ConfigurationError. */
export function adaptRedisClient(client: unknown): RedisScriptClient {
  if (typeof client !== 'object' || client === null) {
    throw new ConfigurationError('createRedisState: `client` must be an ioredis or node-redis client');
  }
  // node-redis is checked first: its clients also expose lower-case aliases in some versions.
  if (isNodeRedis(client)) {
    return {
      flavour: 'node-redis',
      evalSha: (sha, keys, scriptArguments) => client.evalSha(sha, { keys, arguments: scriptArguments }),
      evalScript: (script, keys, scriptArguments) => client.eval(script, { keys, arguments: scriptArguments }),
      command: (commandArguments) => client.sendCommand(commandArguments),
    };
  }
  if (isIoRedis(client)) {
    return {
      flavour: 'ioredis',
      evalSha: (sha, keys, scriptArguments) => client.evalsha(sha, keys.length, ...keys, ...scriptArguments),
      evalScript: (script, keys, scriptArguments) => client.eval(script, keys.length, ...keys, ...scriptArguments),
      command: ([command, ...commandArguments]) => client.call(command, ...commandArguments),
    };
  }
  throw new ConfigurationError(
    'createRedisState: `client` is neither ioredis (evalsha, call) nor node-redis (evalSha, sendCommand); pass a connected client',
  );
}
