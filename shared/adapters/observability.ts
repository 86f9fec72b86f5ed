import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Log } from '../domain/ports';

/** The container's logger (service name from POWERTOOLS_SERVICE_NAME). */
export const logger = new Logger();

/** The container's tracer; AWS SDK clients are captured where they are created. */
export const tracer = new Tracer();

/** Adapts the Powertools logger to the domain's Log port. */
export function powertoolsLog(base: Logger = logger): Log {
  return {
    debug: (message, extra) => base.debug(message, extra ?? {}),
    info: (message, extra) => base.info(message, extra ?? {}),
    warn: (message, extra) => base.warn(message, extra ?? {}),
    error: (message, extra) => base.error(message, extra ?? {}),
  };
}

/**
 * Records each call of a lean AWS client as an X-Ray subsegment named after the service (as the
 * SDK's capture does), with the operation; does nothing when tracing is off.
 */
export function traceAwsCalls(service: string): <T>(operation: string, call: () => Promise<T>) => Promise<T> {
  return async (operation, call) => {
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
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
