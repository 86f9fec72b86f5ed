/**
 * {@link DocTable} over DynamoDB's JSON protocol: native values marshalled with the SDK's own
 * util-dynamodb (as the document client does, undefined values removed), one signed POST per
 * operation, the SDK's retries on throttling and 5xx.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AwsHttp } from './aws-http';
import type { AwsJsonCall } from './aws-json';
import { createAwsJsonClient, endpointOf } from './aws-json';
import type { DocItem, DocTable, DocWriteRequest } from './doc-table';
import type { LeanAws } from './lean-aws';

type Wire = Record<string, AttributeValue>;

const OPTIONS = { removeUndefinedValues: true } as const;

function toWire(item: DocItem | undefined): Wire | undefined {
  return item === undefined ? undefined : marshall(item, OPTIONS);
}

function fromWire(item: unknown): DocItem | undefined {
  return item === undefined || item === null ? undefined : unmarshall(item as Wire);
}

function fromWireList(items: unknown): DocItem[] | undefined {
  return Array.isArray(items) ? items.map((i) => unmarshall(i as Wire)) : undefined;
}

/** Copies `input` with the named native-value fields marshalled. */
function marshalled(input: object, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const f of fields) {
    const value = out[f];
    if (value !== undefined) out[f] = toWire(value as DocItem);
  }
  return out;
}

function writeRequestToWire(r: DocWriteRequest): unknown {
  return 'PutRequest' in r
    ? { PutRequest: { Item: toWire(r.PutRequest.Item) } }
    : { DeleteRequest: { Key: toWire(r.DeleteRequest.Key) } };
}

function writeRequestFromWire(r: unknown): DocWriteRequest {
  const wire = r as { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } };
  if (wire.PutRequest) return { PutRequest: { Item: fromWire(wire.PutRequest.Item) ?? {} } };
  return { DeleteRequest: { Key: fromWire(wire.DeleteRequest?.Key) ?? {} } };
}

/** Options of {@link createHttpDocTable}. */
export interface HttpDocTableOptions {
  /** Replaces the signed transport (tests inject faults here). */
  readonly http?: AwsHttp;
  /** Attempts per call. @default 3 */
  readonly maxAttempts?: number;
  /** Per attempt. @default 5000 */
  readonly timeoutMs?: number;
}

/** DynamoDB for one Lambda, over signed HTTP. */
export function createHttpDocTable(aws: LeanAws, options: HttpDocTableOptions = {}): DocTable {
  const call: AwsJsonCall = createAwsJsonClient({
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    jsonVersion: '1.0',
    region: aws.region,
    endpoint: endpointOf('dynamodb', aws.region, aws.env),
    credentials: aws.credentials,
    timeoutMs: options.timeoutMs ?? 5_000,
    ...(options.http ? { http: options.http } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(aws.around ? { around: aws.around('DynamoDB') } : {}),
  });
  const one = (input: unknown): Record<string, unknown> => (input ?? {}) as Record<string, unknown>;
  return {
    get: async (input) => {
      const out = one(await call('GetItem', marshalled(input, ['Key'])));
      return { Item: fromWire(out['Item']) };
    },
    put: async (input) => {
      const out = one(await call('PutItem', marshalled(input, ['Item', 'ExpressionAttributeValues'])));
      return { Attributes: fromWire(out['Attributes']) };
    },
    update: async (input) => {
      const out = one(await call('UpdateItem', marshalled(input, ['Key', 'ExpressionAttributeValues'])));
      return { Attributes: fromWire(out['Attributes']) };
    },
    delete: async (input) => {
      const out = one(await call('DeleteItem', marshalled(input, ['Key', 'ExpressionAttributeValues'])));
      return { Attributes: fromWire(out['Attributes']) };
    },
    query: async (input) => {
      const out = one(
        await call('Query', marshalled(input, ['ExpressionAttributeValues', 'ExclusiveStartKey'])),
      );
      return {
        Items: fromWireList(out['Items']),
        Count: typeof out['Count'] === 'number' ? out['Count'] : undefined,
        LastEvaluatedKey: fromWire(out['LastEvaluatedKey']),
      };
    },
    batchGet: async (input) => {
      const requestItems = Object.fromEntries(
        Object.entries(input.RequestItems ?? {}).map(([table, spec]) => [
          table,
          { ...spec, Keys: (spec.Keys ?? []).map((k) => toWire(k)) },
        ]),
      );
      const out = one(await call('BatchGetItem', { ...input, RequestItems: requestItems }));
      const responses = (out['Responses'] ?? {}) as Record<string, unknown>;
      const unprocessed = (out['UnprocessedKeys'] ?? {}) as Record<string, { Keys?: unknown }>;
      return {
        Responses: Object.fromEntries(
          Object.entries(responses).map(([t, items]) => [t, fromWireList(items) ?? []]),
        ),
        UnprocessedKeys: Object.fromEntries(
          Object.entries(unprocessed).map(([t, spec]) => [t, { Keys: fromWireList(spec.Keys) ?? [] }]),
        ),
      };
    },
    batchWrite: async (input) => {
      const requestItems = Object.fromEntries(
        Object.entries(input.RequestItems ?? {}).map(([table, requests]) => [
          table,
          (requests as DocWriteRequest[]).map(writeRequestToWire),
        ]),
      );
      const out = one(await call('BatchWriteItem', { ...input, RequestItems: requestItems }));
      const unprocessed = (out['UnprocessedItems'] ?? {}) as Record<string, unknown[]>;
      return {
        UnprocessedItems: Object.fromEntries(
          Object.entries(unprocessed).map(([t, requests]) => [t, requests.map(writeRequestFromWire)]),
        ),
      };
    },
  };
}
