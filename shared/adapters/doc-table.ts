/**
 * The DynamoDB operations the stores use, on native JavaScript values (as the SDK's document
 * client speaks them). Two implementations: signed HTTP in the Lambdas (`dynamo-http.ts`, no SDK
 * in the bundle) and the SDK's document client for the CLI, the replay and tests
 * (`dynamo-sdk-table.ts`). A refused condition rejects with an error named
 * `ConditionalCheckFailedException` in both.
 */
import type {
  BatchGetCommandInput,
  BatchWriteCommandInput,
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** An item, a key or a page key, as native values. */
export type DocItem = Record<string, unknown>;

/** What a read of one item returns. */
export interface GetOutput {
  readonly Item?: DocItem;
}

/** What a write of one item returns (`Attributes` with `ReturnValues`). */
export interface WriteOutput {
  readonly Attributes?: DocItem;
}

/** One page of a query. */
export interface QueryOutput {
  readonly Items?: DocItem[];
  readonly Count?: number;
  readonly LastEvaluatedKey?: DocItem;
}

/** What a batch read returns: items per table and the keys DynamoDB left for later. */
export interface BatchGetOutput {
  readonly Responses?: Record<string, DocItem[]>;
  readonly UnprocessedKeys?: Record<string, { Keys?: DocItem[] }>;
}

/** A put or delete inside a batch write. */
export type DocWriteRequest =
  { readonly PutRequest: { readonly Item: DocItem } } | { readonly DeleteRequest: { readonly Key: DocItem } };

/** What a batch write returns: the requests DynamoDB left for later. */
export interface BatchWriteOutput {
  readonly UnprocessedItems?: Record<string, DocWriteRequest[]>;
}

/** The document-level DynamoDB operations of the stores. */
export interface DocTable {
  get(input: GetCommandInput): Promise<GetOutput>;
  put(input: PutCommandInput): Promise<WriteOutput>;
  update(input: UpdateCommandInput): Promise<WriteOutput>;
  delete(input: DeleteCommandInput): Promise<WriteOutput>;
  query(input: QueryCommandInput): Promise<QueryOutput>;
  batchGet(input: BatchGetCommandInput): Promise<BatchGetOutput>;
  batchWrite(input: BatchWriteCommandInput): Promise<BatchWriteOutput>;
}
