import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createAlertTable, startDynalite, type RunningDynalite } from '../../support/dynalite';

describe('dynalite test support', () => {
  let db: RunningDynalite;

  beforeAll(async () => {
    db = await startDynalite();
  });

  afterAll(async () => {
    await db.stop();
  });

  it('creates the alert table with pk/sk keys and the due index', async () => {
    // Arrange / Act
    await createAlertTable(db.client, 'support-table');
    const described = await db.client.send(new DescribeTableCommand({ TableName: 'support-table' }));

    // Assert
    expect(described.Table?.TableStatus).toBe('ACTIVE');
    expect(described.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(described.Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('due');
  });

  it('round-trips an item and enforces a condition expression', async () => {
    // Arrange
    await createAlertTable(db.client, 'support-cond');
    const item = { pk: { S: 'ALERT#a' }, sk: { S: 'STATE' } };
    await db.client.send(new PutItemCommand({ TableName: 'support-cond', Item: item }));

    // Act
    const second = db.client.send(
      new PutItemCommand({
        TableName: 'support-cond',
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

    // Assert
    await expect(second).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const read = await db.client.send(new GetItemCommand({ TableName: 'support-cond', Key: item }));
    expect(read.Item?.['pk']?.S).toBe('ALERT#a');
  });
});
