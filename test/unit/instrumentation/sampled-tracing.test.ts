import type { MiddlewareObj, Request } from '@middy/core';
import { loadTracing, sampledTracing, traceHeader } from '../../../shared/adapters/observability';
import type { Tracing } from '../../../shared/adapters/tracing';

/** A tracer stand-in recording what the middleware and the AWS call tracer did with it. */
function fakeTracing(): { tracing: Tracing; calls: string[] } {
  const calls: string[] = [];
  const subsegment = {
    namespace: '',
    addAttribute: (name: string) => calls.push(`attribute ${name}`),
    addError: () => calls.push('error'),
    close: () => calls.push('close'),
  };
  const tracer = {
    isTracingEnabled: () => true,
    getSegment: () => ({
      addNewSubsegment: (name: string) => {
        calls.push(`subsegment ${name}`);
        return subsegment;
      },
    }),
  };
  const middleware: MiddlewareObj = {
    before: () => {
      calls.push('before');
    },
    after: () => {
      calls.push('after');
    },
    onError: () => {
      calls.push('onError');
    },
  };
  return { tracing: { tracer: tracer as unknown as Tracing['tracer'], middleware }, calls };
}

const request = {} as Request;

describe('sampled tracing: the tracer loads for sampled invocations only', () => {
  it('never loads the tracer while X-Ray samples no invocation', async () => {
    // Arrange
    const load = jest.fn<Promise<Tracing>, [{ readonly warm: boolean }]>();
    const tracing = sampledTracing({ enabled: () => true, sampled: () => false, load });

    // Act
    for (let i = 0; i < 3; i++) {
      await tracing.middleware.before?.(request);
      await tracing.middleware.after?.(request);
    }

    // Assert
    expect(load).not.toHaveBeenCalled();
    expect(tracing.active()).toBeUndefined();
  });

  it('loads once, on the first sampled invocation, and traces only sampled ones from then on', async () => {
    // Arrange
    const fake = fakeTracing();
    const load = jest.fn(() => Promise.resolve(fake.tracing));
    const samples = [false, true, false, true];
    let n = 0;
    const tracing = sampledTracing({ enabled: () => true, sampled: () => samples[n] === true, load });

    // Act
    const active: boolean[] = [];
    for (n = 0; n < samples.length; n++) {
      await tracing.middleware.before?.(request);
      active.push(tracing.active() !== undefined);
      await tracing.middleware.after?.(request);
    }

    // Assert: loaded by the second invocation, which is therefore not a cold start
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith({ warm: true });
    expect(active).toEqual([false, true, false, true]);
    expect(fake.calls).toEqual(['before', 'after', 'before', 'after']);
  });

  it('marks a tracer loaded by the container’s first invocation as a cold start', async () => {
    // Arrange
    const fake = fakeTracing();
    const load = jest.fn(() => Promise.resolve(fake.tracing));
    const tracing = sampledTracing({ enabled: () => true, sampled: () => true, load });

    // Act
    await tracing.middleware.before?.(request);
    await tracing.middleware.onError?.(request);

    // Assert
    expect(load).toHaveBeenCalledWith({ warm: false });
    expect(fake.calls).toEqual(['before', 'onError']);
  });

  it('never fails an invocation when the tracer cannot be loaded, and tries once per container', async () => {
    // Arrange
    const load = jest.fn(() => Promise.reject(new Error('Cannot find module /var/task/tracing.js')));
    const told: unknown[] = [];
    const tracing = sampledTracing({
      enabled: () => true,
      sampled: () => true,
      load,
      onLoadError: (error) => told.push(error),
    });

    // Act
    for (let i = 0; i < 2; i++) {
      await tracing.middleware.before?.(request);
      await tracing.middleware.after?.(request);
    }

    // Assert
    expect(load).toHaveBeenCalledTimes(1);
    expect(told).toHaveLength(1);
    expect(tracing.active()).toBeUndefined();
  });

  it('stays off when tracing is disabled, even for a sampled invocation', async () => {
    // Arrange
    const load = jest.fn<Promise<Tracing>, [{ readonly warm: boolean }]>();
    const tracing = sampledTracing({ enabled: () => false, sampled: () => true, load });

    // Act
    await tracing.middleware.before?.(request);

    // Assert
    expect(load).not.toHaveBeenCalled();
  });

  it('records lean AWS calls as subsegments in traced invocations and calls straight through otherwise', async () => {
    // Arrange
    const fake = fakeTracing();
    let sampled = false;
    const tracing = sampledTracing({
      enabled: () => true,
      sampled: () => sampled,
      load: () => Promise.resolve(fake.tracing),
    });
    const traced = tracing.traceAwsCalls('dynamodb');

    // Act
    await tracing.middleware.before?.(request);
    const plain = await traced('GetItem', () => Promise.resolve('a'));
    sampled = true;
    await tracing.middleware.before?.(request);
    const recorded = await traced('PutItem', () => Promise.resolve('b'));
    const failed = traced('Query', () => Promise.reject(new Error('throttled')));

    // Assert
    expect([plain, recorded]).toEqual(['a', 'b']);
    await expect(failed).rejects.toThrow('throttled');
    expect(fake.calls).toEqual([
      'before',
      'subsegment dynamodb',
      'attribute aws',
      'close',
      'subsegment dynamodb',
      'attribute aws',
      'error',
      'close',
    ]);
  });

  it('loads the real Powertools tracer from source when no bundle ships it', async () => {
    // Act
    const loaded = await loadTracing({ warm: true });

    // Assert: outside Lambda the tracer is off, and its middleware is Powertools'
    expect(loaded.tracer.isTracingEnabled()).toBe(false);
    expect(typeof loaded.middleware.before).toBe('function');
  });

  it('reads the trace header Lambda sets for the invocation', () => {
    // Arrange
    const env = {
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    };

    // Act
    const header = traceHeader(env);

    // Assert
    expect(header).toEqual({
      Root: '1-5759e988-bd862e3fe1be46a994272793',
      Parent: '53995c3f42cd8ad8',
      Sampled: '1',
    });
    expect(traceHeader({})).toEqual({});
    expect(traceHeader({ _X_AMZN_TRACE_ID: '1-5759e988-bd862e3fe1be46a994272793' })).toEqual({
      Root: '1-5759e988-bd862e3fe1be46a994272793',
    });
  });
});
