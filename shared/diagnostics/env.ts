/** Environment variable with the log domain's endpoint for incident diagnostics; absent: no logs evidence. */
export const LOG_SEARCH_ENDPOINT_ENV = 'LOG_SEARCH_ENDPOINT';
