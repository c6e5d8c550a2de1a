export { sendProviderRequest, requestJson, parseProviderJson, type ProviderRequest } from './post-json';
export { readServerSentEvents, type ServerSentEvent } from './server-sent-events';
export { readNewlineDelimitedJson } from './newline-delimited-json';
export { mapFetchError } from './map-fetch-error';
export { createProviderError, errorFromResponse, type ProviderErrorInput } from './provider-error';
export { parseRetryAfterHeaders, parseDurationString } from './retry-after';
