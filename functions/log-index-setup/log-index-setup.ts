/** Custom resource logic: installs the log index template, retention policy and access roles. */
import * as z from 'zod';
import { applyLogIndexSetup, applyLogSecurityRoles } from '../../shared/logs/opensearch-log-index';
import type { OpenSearchHttp } from '../../shared/logs/opensearch-http';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const count = z.coerce.number().int().nonnegative();

/** Resource properties as CloudFormation passes them (all strings). */
export const setupPropertiesSchema = z.object({
  Endpoint: z.string().min(1),
  RetentionDays: z.coerce.number().int().positive(),
  Replicas: count,
  Shards: z.coerce.number().int().positive(),
  ManageSecurity: flag,
  WriterRoleArns: z.array(z.string()).default([]),
  ReaderRoleArns: z.array(z.string()).default([]),
});

/** The Provider framework's onEvent input (the fields used here). */
export const setupEventSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  PhysicalResourceId: z.string().optional(),
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
