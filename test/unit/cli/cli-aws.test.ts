import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { alertKey } from '../../../shared/adapters/dynamo-alert-store';
import { runVigil } from '../../../shared/cli/main';
import type { AlertRecord } from '../../../shared/domain/alert-record';
import { SHARDS, shardOf } from '../../../shared/domain/shard';

const dynamo = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const cfn = mockClient(CloudFormationClient);
const NOW = Date.UTC(2026, 10, 26, 15, 0);
const TOPICS = {
  TOPIC_ARN_SLACK: 'arn:aws:sns:eu-west-1:111122223333:vigil-prod-slack',
  TOPIC_ARN_EMAIL: 'arn:aws:sns:eu-west-1:111122223333:vigil-prod-email',
  TOPIC_ARN_SMS: 'arn:aws:sns:eu-west-1:111122223333:vigil-prod-sms',
};

const firing: AlertRecord = {
  fingerprint: '53ca53ea0c5f6e1ad362',
  alarmName: 'vigil-prod-high-error-rate-checkout',
  ruleId: 'high-error-rate',
  status: 'firing',
  severity: 'critical',
  labels: { service: 'checkout', team: 'payments', severity: 'critical', alertname: 'high-error-rate' },
  annotations: { summary: 'Error rate above 5%' },
  alarmState: 'ALARM',
  lastChangeAt: NOW - 600_000,
  startsAt: NOW - 600_000,
  notified: ['slack', 'email', 'sms'],
  dirtyAt: NOW - 590_000,
  version: 3,
};

async function vigil(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runVigil(argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env,
    now: () => NOW,
  });
  return { code, out: out.join(''), err: err.join('') };
}

beforeEach(() => {
  dynamo.reset();
  sns.reset();
  cfn.reset();
  cfn
    .on(DescribeStacksCommand)
    .rejects(Object.assign(new Error('Stack with id Vigil-dev does not exist'), { name: 'ValidationError' }));
  dynamo.on(GetCommand).resolves({});
  dynamo
    .on(GetCommand, { Key: alertKey(firing.fingerprint) })
    .resolves({ Item: { ...alertKey(firing.fingerprint), ...firing } });
  dynamo.on(PutCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [] });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('vigil against AWS', () => {
  it('acks in the table named by VIGIL_TABLE with a conditional write', async () => {
    // Act
    const run = await vigil(
      { VIGIL_TABLE: 'vigil-prod-alerts', VIGIL_STAGE: 'prod' },
      'alerts',
      'ack',
      firing.fingerprint,
      '--by',
      'ana',
    );
    // Assert
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: 'vigil-prod-alerts',
      ConditionExpression: '#version = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
      Item: { ack: { by: 'ana', at: NOW } },
    });
    expect(run.out).toBe(
      `acknowledged ${firing.alarmName} (${firing.fingerprint}) by ana at 2026-11-26T15:00:00Z\n` +
        "repeats and escalation stop at the tick's next run\n",
    );
  });

  it('publishes a hand resolve at once to the TOPIC_ARN_* topics', async () => {
    // Act
    const run = await vigil(
      { VIGIL_TABLE: 'vigil-prod-alerts', ...TOPICS },
      '--stage',
      'prod',
      'alerts',
      'resolve',
      firing.fingerprint,
      '--by',
      'ana',
      '--reason',
      'rolled back',
      '--json',
    );
    // Assert
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const topics = sns
      .commandCalls(PublishCommand)
      .map((c) => c.args[0].input.TopicArn)
      .sort();
    expect(topics).toEqual(Object.values(TOPICS).sort());
    const doc = JSON.parse(run.out) as { published: string[]; queued: string[] };
    expect([...doc.published].sort()).toEqual(['email', 'slack', 'sms']);
    expect(doc.queued).toEqual([]);
    const resolvedWrite = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(resolvedWrite).toMatchObject({ status: 'resolved', endsAt: NOW, outbox: { status: 'resolved' } });
  });

  it('leaves the resolve to the tick when no topic is configured', async () => {
    // Act
    const run = await vigil(
      { VIGIL_TABLE: 'vigil-prod-alerts' },
      'alerts',
      'resolve',
      firing.fingerprint,
      '--by',
      'ana',
    );
    // Assert
    expect(run.code).toBe(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(run.out).toContain("resolve to slack, email, sms left to the tick's outbox sweep");
    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      dueShard: expect.stringMatching(/^OUTBOX#\d+$/),
      outbox: { channels: ['slack', 'email', 'sms'] },
    });
    expect(item?.['outbox']).not.toHaveProperty('claimedBy');
  });

  it('lists alerts through the sharded due index, never a scan', async () => {
    // Arrange: the folded firing alert sits in its FIRING shard
    dynamo
      .on(QueryCommand, {
        ExpressionAttributeValues: { ':shard': `FIRING#${shardOf(firing.fingerprint)}` },
      })
      .resolves({ Items: [{ ...alertKey(firing.fingerprint), ...firing }] });
    // Act
    const run = await vigil(
      { VIGIL_TABLE: 'vigil-prod-alerts' },
      'alerts',
      'list',
      '--limit',
      '50',
      '--json',
    );
    // Assert
    expect(run.code).toBe(0);
    expect(
      (JSON.parse(run.out) as { alerts: { fingerprint: string }[] }).alerts.map((a) => a.fingerprint),
    ).toEqual([firing.fingerprint]);
    const queries = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
    const shards = queries.map((q) => String(q.ExpressionAttributeValues?.[':shard']));
    // The alert shards, and the one partition of silences (the list shows what mutes each alert).
    expect(new Set(shards.map((x) => x.split('#')[0]))).toEqual(
      new Set(['CHANGED', 'FIRING', 'OUTBOX', 'SILENCE']),
    );
    expect(new Set(shards).size).toBe(3 * SHARDS + 1);
    expect(queries.every((q) => q.IndexName === 'due')).toBe(true);
    expect(
      queries
        .filter((q) => q.ExpressionAttributeValues?.[':shard'] !== 'SILENCE')
        .every((q) => (q.Limit ?? 0) <= 50),
    ).toBe(true);
    expect(dynamo.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('exits 1 with one line when AWS refuses', async () => {
    // Arrange
    dynamo.on(GetCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), {
        name: 'AccessDeniedException',
      }),
    );
    // Act
    const run = await vigil({ VIGIL_TABLE: 'vigil-prod-alerts' }, 'alerts', 'show', 'x');
    // Assert
    expect(run.code).toBe(1);
    expect(run.err).toBe('vigil: alerts show: User is not authorized to perform: dynamodb:GetItem\n');
  });

  it.each([
    [
      {},
      ['alerts', 'list'],
      /--stage dev: no stack Vigil-dev in this region; deploy it, pass --region, or give --table \(or set VIGIL_TABLE, or use --local DIR/,
    ],
    [
      { VIGIL_TABLE: 't-1' },
      ['--stage', 'staging', 'alerts', 'list'],
      /--stage staging: stage "staging" is not configured; allowed: dev, prod/,
    ],
    [
      {},
      ['--local', '/tmp/x', '--table', 't-1', 'alerts', 'list'],
      /--local cannot be combined with --table/,
    ],
    [{}, ['--local', '/tmp/x', 'logs', 'search'], /logs takes no --local/],
  ])('exits 2 for a bad target (%p %p)', async (env, argv, reason) => {
    // Act
    const run = await vigil(env, ...argv);
    // Assert
    expect(run.code).toBe(2);
    expect(run.err).toMatch(reason);
    expect(run.err.trimEnd()).not.toContain('\n');
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('vigil --stage alone', () => {
  it('finds the table in the stage stack outputs', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand, { StackName: 'Vigil-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Vigil-prod',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(NOW),
          Outputs: [
            { OutputKey: 'AlertTableName', OutputValue: 'Vigil-prod-AlertStateTableF9E5FCDB-1A2B3C' },
            { OutputKey: 'TopicArnSlack', OutputValue: TOPICS.TOPIC_ARN_SLACK },
            { OutputKey: 'TopicArnEmail', OutputValue: TOPICS.TOPIC_ARN_EMAIL },
            { OutputKey: 'TopicArnSms', OutputValue: TOPICS.TOPIC_ARN_SMS },
          ],
        },
      ],
    });
    // Act
    const run = await vigil(
      TOPICS,
      '--stage',
      'prod',
      'alerts',
      'resolve',
      firing.fingerprint,
      '--by',
      'ana',
    );
    // Assert
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.TableName).toBe(
      'Vigil-prod-AlertStateTableF9E5FCDB-1A2B3C',
    );
    expect(
      sns
        .commandCalls(PublishCommand)
        .map((c) => c.args[0].input.TopicArn)
        .sort(),
    ).toEqual(Object.values(TOPICS).sort());
  });

  it('says when the stack cannot be read, and exits 1', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('not authorized to perform: cloudformation:DescribeStacks'), {
        name: 'AccessDenied',
      }),
    );
    // Act
    const run = await vigil({}, '--stage', 'prod', 'alerts', 'list');
    // Assert
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      'vigil: alerts list: --stage prod: cannot read stack Vigil-prod (not authorized to perform: cloudformation:DescribeStacks); or give --table\n',
    );
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('vigil --help', () => {
  it('documents the commands and the exit codes', async () => {
    // Act
    const run = await vigil({}, '--help');
    // Assert
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/alerts resolve <fingerprint\|alarm-name> --by WHO/);
    expect(run.out).toMatch(/exit codes:\n {2}0 ok {3}1 runtime failure/);
    expect(run.out).toMatch(/3 not found/);
    expect(run.out).toMatch(/4 refused/);
  });

  it('prints each group usage with --help, and exits 2 without a command', async () => {
    // Act
    const help = await vigil({}, 'alerts', 'list', '--help');
    const none = await vigil({});
    // Assert
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/never a table scan/);
    expect(none.code).toBe(2);
    expect(none.err).toBe('vigil: a command is required (vigil --help)\n');
  });
});
