import { parseLogsSearchArgs, runLogsCommand } from '../../../shared/cli/commands/logs';
import { parseTimeExpression } from '../../../shared/logs/relative-time';

const NOW = new Date('2024-05-05T12:00:00.000Z');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: {} },
  };
}

describe('parseTimeExpression', () => {
  it.each([
    ['now', '2024-05-05T12:00:00.000Z'],
    ['-30m', '2024-05-05T11:30:00.000Z'],
    ['-2h', '2024-05-05T10:00:00.000Z'],
    ['-1d', '2024-05-04T12:00:00.000Z'],
    ['-45s', '2024-05-05T11:59:15.000Z'],
    ['2024-05-01T08:00:00Z', '2024-05-01T08:00:00.000Z'],
    ['2024-05-01T08:00:00+02:00', '2024-05-01T06:00:00.000Z'],
    ['2024-05-01T08:00', '2024-05-01T08:00:00.000Z'],
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
  ])('reads %s', (text, expected) => {
    // Arrange / Act / Assert
    expect(parseTimeExpression(text, NOW)?.toISOString()).toBe(expected);
  });

  it.each([['30m'], ['-3y'], ['yesterday'], ['2024-02-30T00:00:00Z'], ['']])('rejects %p', (text) => {
    // Arrange / Act / Assert
    expect(parseTimeExpression(text, NOW)).toBeUndefined();
  });
});

describe('parseLogsSearchArgs', () => {
  it('reads every flag', () => {
    // Arrange
    const argv = [
      'search',
      '--level',
      'ERROR',
      '--service',
      'checkout',
      '--from',
      '-30m',
      '--to',
      'now',
      '--query',
      'timeout',
      '--json',
      '--size',
      '20',
      '--cursor',
      'abc',
      '--category',
      'application',
      '--endpoint',
      'http://127.0.0.1:9200',
    ];
    // Act
    const args = parseLogsSearchArgs(argv, {}, NOW);
    // Assert
    expect(args).toEqual({
      json: true,
      endpoint: 'http://127.0.0.1:9200',
      query: {
        minLevel: 'error',
        service: 'checkout',
        from: new Date('2024-05-05T11:30:00.000Z'),
        to: NOW,
        query: 'timeout',
        size: 20,
        cursor: 'abc',
        category: 'application',
      },
    });
  });

  it.each([
    [['--level', 'error'], { minLevel: 'error' }],
    [['--level', 'WARNING'], { minLevel: 'warn' }],
    [['--level', 'Critical'], { minLevel: 'fatal' }],
    [['--level', 'error', '--only-level'], { level: 'error' }],
  ])('reads %p as %p: a level means that level or worse unless --only-level', (flags, expected) => {
    // Arrange / Act
    const args = parseLogsSearchArgs(['search', ...flags, '--endpoint', 'http://x'], {}, NOW);
    // Assert
    expect(args.query).toEqual({
      ...expected,
      from: new Date('2024-05-05T11:45:00.000Z'),
      to: NOW,
      size: 50,
    });
  });

  it('defaults to the last 15 minutes, 50 lines and the endpoint from the environment', () => {
    // Arrange / Act
    const args = parseLogsSearchArgs(['logs', 'search'], { VIGIL_LOGS_ENDPOINT: 'https://search-x' }, NOW);
    // Assert
    expect(args).toEqual({
      json: false,
      endpoint: 'https://search-x',
      query: { from: new Date('2024-05-05T11:45:00.000Z'), to: NOW, size: 50 },
    });
  });
});

describe('runLogsCommand flag errors', () => {
  it.each([
    [['search', '--level', 'loud', '--endpoint', 'http://x'], /--level must be one of/],
    [['search', '--only-level', '--endpoint', 'http://x'], /--only-level needs --level/],
    [['search', '--from', 'yesterday', '--endpoint', 'http://x'], /--from yesterday is not a time/],
    [['search', '--from', 'now', '--to', '-1h', '--endpoint', 'http://x'], /--from is after --to/],
    [['search', '--size', '0', '--endpoint', 'http://x'], /--size must be an integer/],
    [['search', '--size', '2.5', '--endpoint', 'http://x'], /--size must be an integer/],
    [['search', '--category', 'audit', '--endpoint', 'http://x'], /--category must be one of/],
    [['search', '--colour', 'red', '--endpoint', 'http://x'], /Unknown option '--colour'/],
    [['search', 'stray', '--endpoint', 'http://x'], /positional/],
    [['search'], /--endpoint is required/],
    [['tail'], /unknown subcommand tail/],
    [[], /unknown subcommand \(none\)/],
  ])('exits 2 with one line on stderr for %p', async (argv, reason) => {
    // Arrange
    const { out, err, io } = capture();
    // Act
    const code = await runLogsCommand(argv, io);
    // Assert
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(reason);
    expect(err[0]?.trimEnd()).not.toContain('\n');
  });

  it('exits 1 with a reason when the search itself fails', async () => {
    // Arrange: nothing listens on port 9 of the loopback interface.
    const { err, io } = capture();
    // Act
    const code = await runLogsCommand(['search', '--endpoint', 'http://127.0.0.1:9'], io);
    // Assert
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/^logs: search failed: /);
  });
});
