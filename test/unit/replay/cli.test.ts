import * as path from 'node:path';
import { runReplayCaptured } from '../../support/replay-cli';

const SCENARIOS = path.join(__dirname, '..', '..', 'fixtures', 'scenarios');

const run = runReplayCaptured;

describe('simulate command line on bad input', () => {
  it('exits 2 with one line naming the event index and field', async () => {
    // Act
    const out = await run(path.join(SCENARIOS, 'bad-duration.json'), '--json');
    // Assert
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^simulate: events\[2\]\.at: "PT3X" is not an ISO-8601 duration[^\n]*\n$/);
  });

  it('exits 2 when the scenario file does not exist', async () => {
    // Act
    const out = await run(path.join(SCENARIOS, 'no-such-scenario.json'));
    // Assert
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^simulate: scenario .*no-such-scenario\.json: not found\n$/);
  });

  it('exits 2 naming the field of a runtime config the scenario points at', async () => {
    // Act
    const out = await run(path.join(SCENARIOS, 'bad-config.json'));
    // Assert
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^simulate: runtime config: rules: [^\n]*\n$/);
  });

  it.each([[[]], [['a.json', 'b.json']], [['a.json', '--colour']]])(
    'exits 2 with the usage for arguments %j',
    async (argv) => {
      // Act
      const out = await run(...argv);
      // Assert
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/usage: simulate <scenario\.json> \[--json\]/);
      expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    },
  );
});
