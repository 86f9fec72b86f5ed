/** The index template and ISM retention policy for `logs-*`, as request bodies. Pure. */

/** Names used on the domain. */
export const LOG_TEMPLATE_NAME = 'vigil-logs';
/** Fine-grained access control role of the indexer. */
export const LOG_WRITER_ROLE = 'vigil_logs_writer';
/** Read-only fine-grained access control role for search (CLI, diagnostics). */
export const LOG_READER_ROLE = 'vigil_logs_reader';
/** ISM policy id. */
export const LOG_RETENTION_POLICY_ID = 'vigil-logs-retention';

/** Options of the template. */
export interface LogTemplateOptions {
  /** Replicas per shard (0 on a single node). */
  readonly replicas: number;
  /** Primary shards per daily index. @default 1 */
  readonly shards?: number;
}

/**
 * The template. `dynamic: false` at the root means a field we did not map is kept in `_source`
 * but never grows the mapping; unknown source fields go to `fields`, one `flat_object`, which
 * stays searchable by dotted path (`fields.http.status`) without one mapping entry per key.
 */
export function buildLogIndexTemplate(options: LogTemplateOptions): Record<string, unknown> {
  return {
    index_patterns: ['logs-*'],
    priority: 100,
    template: {
      settings: {
        number_of_shards: options.shards ?? 1,
        number_of_replicas: options.replicas,
        refresh_interval: '5s',
      },
      mappings: {
        dynamic: false,
        properties: {
          '@timestamp': { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
          level: { type: 'keyword' },
          message: { type: 'text' },
          service: { type: 'keyword', ignore_above: 256 },
          trace_id: { type: 'keyword', ignore_above: 256 },
          request_id: { type: 'keyword', ignore_above: 256 },
          category: { type: 'keyword' },
          log_group: { type: 'keyword', ignore_above: 512 },
          log_stream: { type: 'keyword', ignore_above: 512 },
          aws_account: { type: 'keyword' },
          event_id: { type: 'keyword' },
          event_time: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
          format: { type: 'keyword' },
          timestamp_source: { type: 'keyword' },
          notes: { type: 'keyword', ignore_above: 1024 },
          merged_event_ids: { type: 'keyword' },
          fields: { type: 'flat_object' },
          // Whole values whose indexed copy under `fields` was cut: kept in _source, never indexed.
          overflow: { type: 'object', enabled: false },
        },
      },
    },
  };
}

/** ISM policy: keep `logs-*` indices for `retentionDays`, then delete them. */
export function buildLogRetentionPolicy(retentionDays: number): Record<string, unknown> {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`retentionDays must be a positive integer, got ${retentionDays}`);
  }
  return {
    policy: {
      description: `Delete log indices ${retentionDays} days after creation`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: ['logs-*'], priority: 100 }],
    },
  };
}
