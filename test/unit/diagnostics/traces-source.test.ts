import { GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { createTracesSource, faultFilterOf } from '../../../shared/diagnostics/traces-source';
import { runWithBudget } from '../../../shared/domain/diagnostics';

const xray = mockClient(XRayClient);
const UNTIL = Date.UTC(2026, 10, 26, 14, 30);
const FROM = UNTIL - 30 * 60_000;

function query() {
  return {
    incidentId: 'inc-1',
    service: 'checkout',
    alarmName: 'vigil-dev-high-error-rate-checkout',
    from: FROM,
    until: UNTIL,
    signal: new AbortController().signal,
  };
}

beforeEach(() => xray.reset());

describe('traces source (X-Ray GetTraceSummaries)', () => {
  it('asks for fault or error traces of the service in the window and links the newest', async () => {
    // Arrange
    xray
      .on(GetTraceSummariesCommand)
      .resolvesOnce({
        TraceSummaries: [
          { Id: '1-aaa', HasFault: true, ResponseTime: 2.5, StartTime: new Date(UNTIL - 600_000) },
          {
            Id: '1-bbb',
            HasError: true,
            ResponseTime: 0.2,
            StartTime: new Date(UNTIL - 60_000),
            Http: { HttpMethod: 'POST', HttpURL: 'https://checkout/orders', HttpStatus: 429 },
          },
        ],
        NextToken: 'next',
      })
      .resolvesOnce({
        TraceSummaries: [
          { Id: '1-ccc', HasFault: true, ResponseTime: 1, StartTime: new Date(UNTIL - 300_000) },
        ],
      });
    const source = createTracesSource(new XRayClient({ region: 'eu-west-1' }), {
      region: 'eu-west-1',
      maxLinks: 2,
    });
    // Act
    const found = await source(query());
    // Assert
    const calls = xray.commandCalls(GetTraceSummariesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({
      StartTime: new Date(FROM),
      EndTime: new Date(UNTIL),
      FilterExpression: 'service("checkout") AND (fault = true OR error = true)',
    });
    expect(calls[1]?.args[0].input.NextToken).toBe('next');
    expect(found.summary).toBe(
      '3 traces: 2 with faults, 1 with errors; slowest 2.50 s, e.g. POST https://checkout/orders 429',
    );
    expect(found.links.map((l) => l.label)).toEqual(['trace 1-bbb', 'trace 1-ccc', 'all matching traces']);
    expect(found.links[0]?.url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/1-bbb',
    );
  });

  it('no matching traces is an empty finding', async () => {
    // Arrange
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [] });
    const source = createTracesSource(new XRayClient({ region: 'eu-west-1' }), { region: 'eu-west-1' });
    // Act
    const found = await source(query());
    // Assert
    expect(found).toMatchObject({ empty: true, summary: 'no traces with faults or errors' });
  });

  it('an X-Ray error becomes a note within the budget, not a failure', async () => {
    // Arrange
    xray.on(GetTraceSummariesCommand).rejects(new Error('AccessDeniedException: not authorized'));
    const source = createTracesSource(new XRayClient({ region: 'eu-west-1' }), { region: 'eu-west-1' });
    // Act
    const note = await runWithBudget(source, query(), 1000);
    // Assert
    expect(note).toMatchObject({
      status: 'error',
      summary: 'unavailable: AccessDeniedException: not authorized',
    });
  });

  it('keeps quotes out of the filter expression', () => {
    // Arrange / Act
    const filter = faultFilterOf('a"b\\c');
    // Assert
    expect(filter).toBe('service("abc") AND (fault = true OR error = true)');
  });
});
