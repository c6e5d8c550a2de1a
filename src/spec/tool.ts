/** A JSON Schema object, as providers accept it for tool parameters and structured output. */
export type JsonSchema = Record<string, unknown>;

/**
 * A schema object of a validation library that implements Standard JSON Schema (zod 4.2 or later, ArkType,
 * …); converted to JSON Schema with its own converter before sending.
 */
export interface StandardJsonSchemaLike {
  /** The Standard Schema properties of the library's schema object. */
  '~standard': {
    /** The Standard JSON Schema converter. */
    jsonSchema: {
      /** JSON Schema of the values the schema outputs, in the given dialect. */
      output(options: { target: 'draft-2020-12' | 'draft-07' | 'openapi-3.0' }): Record<string, unknown>;
    };
  };
}

/** @deprecated Use `StandardJsonSchemaLike`: zod schemas (4.2 or later) are accepted through Standard JSON Schema. */
export type ZodLikeSchema = StandardJsonSchemaLike;

/** A function the model may call. */
export interface ToolDefinition {
  /** Name the model uses to call it: letters, digits, `_` and `-`, at most 64 characters. */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** Parameters as a JSON Schema whose root `type` is `object`, or a zod (4.2 or later) or other Standard JSON Schema object schema. */
  parameters: JsonSchema | StandardJsonSchemaLike;
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
