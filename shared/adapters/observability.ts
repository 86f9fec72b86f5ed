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
