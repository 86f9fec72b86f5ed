/** Custom resource logic: installs the log index template, retention policy and access roles. */
import * as z from 'zod/mini';
import { applyLogIndexSetup, applyLogSecurityRoles } from '../../shared/logs/opensearch-log-index';
import type { OpenSearchHttp } from '../../shared/logs/opensearch-http';
import '../../shared/domain/zod-locale';

const flag = z.pipe(
  z.enum(['true', 'false']),
  z.transform((value) => value === 'true'),
);
const count = z.coerce.number().check(z.int(), z.nonnegative());

/** Resource properties as CloudFormation passes them (all strings). */
export const setupPropertiesSchema = z.object({
  Endpoint: z.string().check(z.minLength(1)),
  RetentionDays: z.coerce.number().check(z.int(), z.positive()),
  Replicas: count,
  Shards: z.coerce.number().check(z.int(), z.positive()),
  ManageSecurity: flag,
  WriterRoleArns: z._default(z.array(z.string()), []),
  ReaderRoleArns: z._default(z.array(z.string()), []),
});

/** The Provider framework's onEvent input (the fields used here). */
export const setupEventSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: setupPropertiesSchema,
});

/** Resource properties. */
export type SetupProperties = z.infer<typeof setupPropertiesSchema>;

/** The custom resource event is not what the Provider framework sends. */
export class InvalidSetupEventError extends Error {
  public readonly code = 'INVALID_SETUP_EVENT';
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidSetupEventError';
  }
}

/** Builds the onEvent function; `clientFor` makes a connection to an endpoint. */
export function createLogIndexSetup(
  clientFor: (endpoint: string) => OpenSearchHttp,
): (event: unknown) => Promise<{ PhysicalResourceId: string }> {
  return async (event: unknown) => {
    const parsed = setupEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidSetupEventError(`invalid custom resource event: ${parsed.error.message}`, {
        cause: parsed.error,
      });
    }
    const { RequestType: type, ResourceProperties: props } = parsed.data;
    const physicalId = `vigil-log-index-setup:${props.Endpoint}`;
    // Deleting the stack keeps the indices: log data outlives the pipeline's definition.
    if (type === 'Delete') return { PhysicalResourceId: parsed.data.PhysicalResourceId ?? physicalId };
    const client = clientFor(props.Endpoint);
    await applyLogIndexSetup(client, {
      replicas: props.Replicas,
      shards: props.Shards,
      retentionDays: props.RetentionDays,
      retention: true,
    });
    if (props.ManageSecurity) {
      await applyLogSecurityRoles(client, {
        writerRoleArns: props.WriterRoleArns,
        readerRoleArns: props.ReaderRoleArns,
      });
    }
    return { PhysicalResourceId: physicalId };
  };
}
