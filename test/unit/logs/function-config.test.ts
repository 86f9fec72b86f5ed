import { createLogIndexSetup } from '../../../functions/log-index-setup/log-index-setup';
import { createLogIndexer, readLogIndexerConfig } from '../../../functions/log-indexer/log-indexer';
import { MissingEnvironmentError } from '../../../shared/logs/env';
import { buildLogRetentionPolicy } from '../../../shared/logs/index-template';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';

const baseEnv = { OPENSEARCH_ENDPOINT: 'https://search-x', DEAD_LETTER_QUEUE_URL: 'https://sqs/q' };

describe('readLogIndexerConfig', () => {
  it('reads the category map, default category and bulk limits', () => {
    // Arrange
    const env = {
      ...baseEnv,
      LOG_GROUP_CATEGORIES: '{"/aws/lambda/a":"error"}',
      LOG_GROUP_SERVICES: '{"/dokkerr/dev/access":"gateway"}',
      DEFAULT_LOG_CATEGORY: 'system',
      BULK_MAX_BYTES: '1048576',
    };
    // Act
    const config = readLogIndexerConfig(env);
    // Assert
    expect(config).toEqual({
      endpoint: 'https://search-x',
      deadLetterQueueUrl: 'https://sqs/q',
      categories: { '/aws/lambda/a': 'error' },
      services: { '/dokkerr/dev/access': 'gateway' },
      defaultCategory: 'system',
      limits: { maxBytes: 1048576, maxCount: 1000 },
    });
  });

  it.each([
    [{ DEAD_LETTER_QUEUE_URL: 'q' }, 'OPENSEARCH_ENDPOINT'],
    [{ OPENSEARCH_ENDPOINT: 'e' }, 'DEAD_LETTER_QUEUE_URL'],
  ])('names the missing variable', (env, name) => {
    // Arrange / Act / Assert
    expect(() => readLogIndexerConfig(env)).toThrow(MissingEnvironmentError);
    expect(() => readLogIndexerConfig(env)).toThrow(name);
  });

  it.each([
    [{ LOG_GROUP_CATEGORIES: '{"/a":"audit"}' }, /LOG_GROUP_CATEGORIES is invalid/],
    [{ LOG_GROUP_CATEGORIES: 'nope' }, /LOG_GROUP_CATEGORIES is not JSON/],
    [{ LOG_GROUP_SERVICES: '{"/a":""}' }, /LOG_GROUP_SERVICES is invalid/],
    [{ LOG_GROUP_SERVICES: '["api"]' }, /LOG_GROUP_SERVICES is invalid/],
    [{ DEFAULT_LOG_CATEGORY: 'misc' }, /DEFAULT_LOG_CATEGORY/],
    [{ BULK_MAX_BYTES: '-1' }, /BULK_MAX_BYTES/],
  ])('rejects malformed configuration %#', (extra, message) => {
    // Arrange / Act / Assert
    expect(() => readLogIndexerConfig({ ...baseEnv, ...extra })).toThrow(message);
  });
});

describe('createLogIndexer', () => {
  it('rejects an event that is not a subscription event', async () => {
    // Arrange
    const indexer = createLogIndexer({
      index: { bulk: () => Promise.resolve([]) },
      deadLetters: new InMemoryDeadLetterSink(),
      categories: {},
      defaultCategory: 'application',
    });
    // Act / Assert
    await expect(indexer({ Records: [] })).rejects.toMatchObject({
      name: 'InvalidLogEventError',
      code: 'INVALID_LOG_EVENT',
    });
  });
});

describe('createLogIndexSetup', () => {
  it('does nothing on Delete, keeping the indices', async () => {
    // Arrange
    const clientFor = jest.fn();
    const setup = createLogIndexSetup(clientFor);
    // Act
    const result = await setup({
      RequestType: 'Delete',
      PhysicalResourceId: 'vigil-log-index-setup:https://search-x',
      ResourceProperties: {
        Endpoint: 'https://search-x',
        RetentionDays: '30',
        Replicas: '1',
        Shards: '1',
        ManageSecurity: 'true',
      },
    });
    // Assert
    expect(result).toEqual({ PhysicalResourceId: 'vigil-log-index-setup:https://search-x' });
    expect(clientFor).not.toHaveBeenCalled();
  });

  it('rejects an event without the properties it needs', async () => {
    // Arrange
    const setup = createLogIndexSetup(jest.fn());
    // Act / Assert
    await expect(
      setup({ RequestType: 'Create', ResourceProperties: { Endpoint: '' } }),
    ).rejects.toMatchObject({
      name: 'InvalidSetupEventError',
    });
  });
});

describe('buildLogRetentionPolicy', () => {
  it('deletes logs-* indices after the retention period', () => {
    // Arrange / Act
    const policy = buildLogRetentionPolicy(14);
    // Assert
    expect(policy).toMatchObject({
      policy: {
        default_state: 'hot',
        states: [
          { name: 'hot', transitions: [{ state_name: 'delete', conditions: { min_index_age: '14d' } }] },
          { name: 'delete', actions: [{ delete: {} }] },
        ],
        ism_template: [{ index_patterns: ['logs-*'] }],
      },
    });
    expect(() => buildLogRetentionPolicy(0)).toThrow(RangeError);
  });
});
