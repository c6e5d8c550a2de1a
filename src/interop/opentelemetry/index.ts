export { createOpenTelemetryHooks, type OpenTelemetryHooksOptions } from './opentelemetry-hooks';
export type {
  TelemetryApi, TelemetryAttributes, TelemetryAttributeValue, TelemetryMeter, TelemetrySpan, TelemetrySpanContext, TelemetrySpanOptions, TelemetryTracer,
} from './opentelemetry-types';
