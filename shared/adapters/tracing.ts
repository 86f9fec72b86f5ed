// The Powertools tracer and its Lambda middleware. Paging functions load this module only in
// invocations X-Ray samples (see `sampledTracing` in observability.ts): the X-Ray SDK behind it is
// over a hundred kilobytes that an unsampled page has no use for.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

/** A tracer and the middleware that opens and closes its handler subsegment. */
export interface Tracing {
  readonly tracer: Tracer;
  readonly middleware: MiddlewareObj;
}

/** A tracer that can be told its container has already served an invocation. */
class ContainerTracer extends Tracer {
  /** Consumes the cold start, so the next ColdStart annotation says false. */
  public markWarm(): void {
    this.getColdStart();
  }
}

/**
 * Creates the container's tracer (service name from POWERTOOLS_SERVICE_NAME). `warm`: the
 * container served invocations before this tracer existed, so none of its invocations is a cold start.
 */
export function createTracing(options: { readonly warm?: boolean } = {}): Tracing {
  const tracer = new ContainerTracer();
  if (options.warm === true) tracer.markWarm();
  return { tracer, middleware: captureLambdaHandler(tracer) };
}
