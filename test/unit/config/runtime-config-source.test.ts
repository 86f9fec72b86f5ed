import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deriveRuntimeConfig } from '../../../infra/config/derive';
import { loadStageConfig } from '../../../infra/config/stages';
import { runtimeConfigFile } from '../../../infra/constructs/vigil-function';
import {
  loadRuntimeConfig,
  runtimeConfigDigest,
  shippedRuntimeConfig,
} from '../../../shared/adapters/runtime-config-source';

const writeConfig = (text: string): string => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-rc-')), 'runtime-config.json');
  writeFileSync(file, text);
  return file;
};

describe('runtime config shipped beside the bundle', () => {
  it.each(['dev', 'prod'])(
    'ships the %s stage config with the digest that spares validating it again',
    (stage) => {
      // Arrange
      const config = deriveRuntimeConfig(loadStageConfig(stage));

      // Act
      const shipped = shippedRuntimeConfig(config);
      const built = runtimeConfigFile(config);

      // Assert: the schema's own output survives JSON unchanged, so the digest is given
      expect(shipped.digest).toBe(runtimeConfigDigest(shipped.text));
      expect(built.define).toEqual({ __VIGIL_RUNTIME_CONFIG_SHA256__: JSON.stringify(shipped.digest) });
    },
  );

  it('loads the validated file as it is', () => {
    // Arrange
    const config = deriveRuntimeConfig(loadStageConfig('dev'));
    const shipped = shippedRuntimeConfig(config);
    const file = writeConfig(shipped.text);

    // Act
    const loaded = loadRuntimeConfig({ VIGIL_RUNTIME_CONFIG_FILE: file }, shipped.digest);

    // Assert
    expect(loaded).toEqual(config);
  });

  it('validates a file that is not the one the build validated, and names what is wrong', () => {
    // Arrange: same digest expected, different text
    const config = deriveRuntimeConfig(loadStageConfig('dev'));
    const shipped = shippedRuntimeConfig(config);
    const tampered = JSON.stringify({ ...config, stage: 42 });
    const file = writeConfig(tampered);

    // Act
    const act = () => loadRuntimeConfig({ VIGIL_RUNTIME_CONFIG_FILE: file }, shipped.digest);

    // Assert
    expect(act).toThrow(/runtime config: stage: /);
  });

  it('validates every config when no digest was built in (source, tests, replay)', () => {
    // Arrange
    const file = writeConfig(JSON.stringify({ stage: 'dev' }));

    // Act
    const act = () => loadRuntimeConfig({ VIGIL_RUNTIME_CONFIG_FILE: file }, undefined);

    // Assert
    expect(act).toThrow(/^runtime config: /);
  });

  it('says which source is not JSON, and when there is no config at all', () => {
    // Arrange
    const file = writeConfig('{ not json');

    // Act
    const notJson = () => loadRuntimeConfig({ VIGIL_RUNTIME_CONFIG_FILE: file }, undefined);
    const missing = () => loadRuntimeConfig({}, undefined);

    // Assert
    expect(notJson).toThrow(`runtime config from ${file} is not valid JSON`);
    expect(missing).toThrow('runtime config missing');
  });

  it('refuses to ship an invalid config, naming the field', () => {
    // Act
    const act = () => shippedRuntimeConfig({ stage: 'dev' });

    // Assert
    expect(act).toThrow(/^runtime config: /);
  });
});
