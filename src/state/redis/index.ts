export { createRedisState, type RedisStateOptions } from './redis-state';
export {
  adaptRedisClient,
  type IoRedisClientSlice,
  type NodeRedisClientSlice,
  type RedisClientSlice,
  type RedisScriptClient,
} from './redis-client-adapter';
