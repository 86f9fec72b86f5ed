import { stormWatch } from '../../../shared/domain/tick/storm';

describe("a container's view of storm mode", () => {
  it('reads the tick state on every ask and remembers whether the last read found a storm', async () => {
    // Arrange
    const states = [undefined, { storm: { routes: { 'root/0': {} } } }, { storm: { routes: {} } }];
    let reads = 0;
    const watch = stormWatch(() => Promise.resolve(states[reads++] as never));

    // Act
    const before = watch.stormLikely();
    const quiet = await watch.stormingRoutes();
    const afterQuiet = watch.stormLikely();
    const storming = await watch.stormingRoutes();
    const afterStorm = watch.stormLikely();
    const ended = await watch.stormingRoutes();
    const afterEnd = watch.stormLikely();

    // Assert
    expect(reads).toBe(3);
    expect([...quiet, ...storming, ...ended]).toEqual(['root/0']);
    expect([before, afterQuiet, afterStorm, afterEnd]).toEqual([false, false, true, false]);
  });
});
