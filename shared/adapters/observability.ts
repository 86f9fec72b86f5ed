import { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Log } from '../domain/ports';
import { originalStack } from './stack-source';
import type { createTracing, Tracing } from './tracing';

/** The container's logger (service name from POWERTOOLS_SERVICE_NAME). */
export const logger = new Logger();

/** Adapts the Powertools logger to the domain's Log port. */
export function powertoolsLog(base: Logger = logger): Log {
  return {
    debug: (message, extra) => base.debug(message, extra ?? {}),
    info: (message, extra) => base.info(message, extra ?? {}),
    warn: (message, extra) => base.warn(message, extra ?? {}),
    error: (message, extra) => base.error(message, extra ?? {}),
  };
}

// The file the bundle ships the tracing module in (esbuild `define` of TRACING_CHUNK in
// infra/constructs/vigil-function.ts); absent when running from source, where it is imported.
declare const __VIGIL_TRACING_CHUNK__: string | undefined;

/** Loads the tracing module: the chunk beside the bundle, or the source module. */
export async function loadTracing(options: { readonly warm: boolean }): Promise<Tracing> {
  if (typeof __VIGIL_TRACING_CHUNK__ !== 'string') {
    const source = await import('./tracing');
    return source.createTracing(options);
  }
  const chunk = createRequire(__filename)(path.join(__dirname, __VIGIL_TRACING_CHUNK__)) as {
    createTracing: typeof createTracing;
  };
  return chunk.createTracing(options);
}

/**
 * The fields of the current invocation's X-Ray trace header (`Root=...;Parent=...;Sampled=1`), as
 * Lambda gives it: from its invoke store when it runs invocations concurrently, else from
 * `_X_AMZN_TRACE_ID`. Empty when there is none.
 */
export function traceHeader(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const store = (
    globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } }
  ).awslambda?.InvokeStore;
  const header = store?.getXRayTraceId?.() ?? env['_X_AMZN_TRACE_ID'] ?? '';
  if (header === '') return {};
  if (!header.includes('=')) return { Root: header };
  return Object.fromEntries(
    header.split(';').map((field) => {
      const at = field.indexOf('=');
      return at < 0 ? [field, ''] : [field.slice(0, at), field.slice(at + 1)];
    }),
  );
}

/** The X-Ray trace id of the current invocation, when Lambda gave one. */
export function rootTraceId(): string | undefined {
  return traceHeader()['Root'];
}

/** True when X-Ray samples the current invocation. */
export function isSampledInvocation(): boolean {
  return traceHeader()['Sampled'] === '1';
}

/** How {@link sampledTracing} decides and loads; the defaults read Lambda's environment. */
export interface SampledTracingOptions {
  /** Whether tracing is wanted at all. @default POWERTOOLS_TRACE_ENABLED is not "false" */
  readonly enabled?: () => boolean;
  /** Whether X-Ray samples the current invocation. @default Sampled=1 in the trace header */
  readonly sampled?: () => boolean;
  /** @default {@link loadTracing} */
  readonly load?: (options: { readonly warm: boolean }) => Promise<Tracing>;
  /** Told once when the tracer cannot be loaded; the container then runs untraced. @default none */
  readonly onLoadError?: (error: unknown) => void;
}

/** Per-container tracing state: loaded once, active for sampled invocations only. */
export interface SampledTracing {
  /** Middy middleware: the Powertools handler subsegment, in sampled invocations. */
  readonly middleware: MiddlewareObj;
  /** The tracer when the current invocation is traced, else undefined. */
  readonly active: () => Tracing['tracer'] | undefined;
  /** Records each call of a lean AWS client as a subsegment (see {@link traceAwsCalls}). */
  readonly traceAwsCalls: (service: string) => <T>(operation: string, call: () => Promise<T>) => Promise<T>;
}

/**
 * Tracing that costs an unsampled invocation nothing: the tracer (and the X-Ray SDK behind it) is
 * loaded by the first invocation X-Ray samples, and then serves sampled invocations only. An
 * unsampled invocation records nothing with the SDK either, so what is traced does not change; a
 * cold start that is not sampled is spared loading it. The ColdStart annotation stays true only on
 * the container's first invocation. A tracer that cannot be loaded never fails an invocation: the
 * container runs untraced and says so once.
 */
export function sampledTracing(options: SampledTracingOptions = {}): SampledTracing {
  const enabled = options.enabled ?? ((): boolean => process.env['POWERTOOLS_TRACE_ENABLED'] !== 'false');
  const sampled = options.sampled ?? isSampledInvocation;
  const load = options.load ?? loadTracing;
  let tracing: Tracing | undefined;
  let unavailable = false;
  let current: Tracing | undefined;
  let invocations = 0;
  const active = (): Tracing['tracer'] | undefined => current?.tracer;
  return {
    middleware: {
      before: async (request) => {
        invocations += 1;
        current = undefined;
        if (unavailable || !enabled() || !sampled()) return;
        try {
          // Loaded after the container's first invocation, this one is not a cold start.
          tracing ??= await load({ warm: invocations > 1 });
        } catch (error) {
          unavailable = true;
          options.onLoadError?.(error);
          return;
        }
        current = tracing;
        await tracing.middleware.before?.(request);
      },
      after: async (request) => {
        await current?.middleware.after?.(request);
      },
      onError: async (request) => {
        await current?.middleware.onError?.(request);
      },
    },
    active,
    traceAwsCalls: awsCallTracer(active),
  };
}

/**
 * Records each call of a lean AWS client as an X-Ray subsegment named after the service (as the
 * SDK's capture does), with the operation, under whatever `tracer()` gives; plain call without one.
 */
export function awsCallTracer(
  tracer: () => Tracing['tracer'] | undefined,
): (service: string) => <T>(operation: string, call: () => Promise<T>) => Promise<T> {
  return (service) => async (operation, call) => {
    const current = tracer();
    const parent = current?.isTracingEnabled() === true ? current.getSegment() : undefined;
    if (parent === undefined) return call();
    const subsegment = parent.addNewSubsegment(service);
    subsegment.namespace = 'aws';
    subsegment.addAttribute('aws', { operation });
    try {
      return await call();
    } catch (error) {
      subsegment.addError(error instanceof Error ? error : String(error), true);
      throw error;
    } finally {
      subsegment.close();
    }
  };
}

/** The container's tracing (one per Lambda container). */
export const tracing = sampledTracing({
  onLoadError: (error) =>
    logger.warn('tracer not loaded; this container runs untraced', {
      error: error instanceof Error ? error.message : String(error),
    }),
});

/**
 * Records each call of a lean AWS client as an X-Ray subsegment named after the service (as the
 * SDK's capture does), with the operation; does nothing when the invocation is not traced.
 */
export const traceAwsCalls = tracing.traceAwsCalls;

/**
 * Middy middleware (use it last, so it runs first on an error): an error leaving the handler
 * carries a stack naming the source files and lines, not the minified bundle's, wherever it is
 * logged (Lambda's own error record, the tracer).
 */
export const sourceMappedErrors: MiddlewareObj = {
  onError: (request) => {
    const { error } = request;
    if (error instanceof Error && typeof error.stack === 'string') error.stack = originalStack(error.stack);
  },
};
