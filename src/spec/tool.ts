/** A JSON Schema object, as providers accept it for tool parameters and structured output. */
export type JsonSchema = Record<string, unknown>;

/** Anything with zod's `toJSONSchema`-compatible shape; converted to JSON Schema before sending. */
export interface ZodLikeSchema {
  /** zod 4 schemas carry their definition here. */
  _zod: unknown;
}

/** A function the model may call. */
export interface ToolDefinition {
  /** Name the model uses to call it: letters, digits, `_` and `-`, at most 64 characters. */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** Parameters as a JSON Schema whose root `type` is `object`, or a zod object schema. */
  parameters: JsonSchema | ZodLikeSchema;
}

/** Whether and which tool the model must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

/** A tool call the model made. */
export interface ToolCall {
  /** The provider's call id (generated when the provider gives none). */
  id: string;
  /** Name of the called tool. */
  name: string;
  /** Arguments parsed from JSON; `{}` when the model sent none. */
  arguments: unknown;
  /** Arguments exactly as the model produced them. */
  rawArguments: string;
}
