/**
 * The slice of `@opentelemetry/api` the hooks call, declared structurally so the library does not depend on
 * it: pass `trace.getTracer(...)`, `metrics.getMeter(...)` and (for nested spans) `{ trace, context }`.
 */

/** Attribute values OpenTelemetry accepts. */
export type TelemetryAttributeValue = string | number | boolean | string[] | number[] | boolean[];

/** Span or metric attributes. */
export type TelemetryAttributes = Record<string, TelemetryAttributeValue | undefined>;

/** A span's identity, for links. */
export interface TelemetrySpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/** The span methods used. */
export interface TelemetrySpan {
  setAttribute(key: string, value: TelemetryAttributeValue): unknown;
  setAttributes(attributes: TelemetryAttributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string, time?: number): void;
  end(endTime?: number): void;
  spanContext(): TelemetrySpanContext;
}

/** Options of `startSpan` used. */
export interface TelemetrySpanOptions {
  kind?: number;
  attributes?: TelemetryAttributes;
  startTime?: number;
  links?: Array<{ context: TelemetrySpanContext; attributes?: TelemetryAttributes }>;
}

/** A tracer: `trace.getTracer('my-app')`. */
export interface TelemetryTracer {
  // The context parameter is opaque here; it comes from `api.trace.setSpan(...)`.
  startSpan(name: string, options?: TelemetrySpanOptions, context?: any): TelemetrySpan;
}

/** A meter: `metrics.getMeter('my-app')`. */
export interface TelemetryMeter {
  createCounter(name: string, options?: { description?: string; unit?: string }): { add(value: number, attributes?: TelemetryAttributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(value: number, attributes?: TelemetryAttributes): void };
}

/** `{ trace, context }` from `@opentelemetry/api`, to nest attempt spans under the request span. */
export interface TelemetryApi {
  trace: { setSpan(context: any, span: any): any };
  context: { active(): any };
}
