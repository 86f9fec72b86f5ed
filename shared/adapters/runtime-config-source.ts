import { readFileSync } from 'node:fs';
import { ConfigError } from '../domain/errors';
import type { RuntimeConfig } from '../domain/runtime-config';
import { parseRuntimeConfig } from '../domain/runtime-config';

// Inlined by esbuild `define` at bundle time; absent when running from source (tests, replay).
declare const __VIGIL_RUNTIME_CONFIG__: string | undefined;

function parseText(text: string, origin: string): RuntimeConfig {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ConfigError(`runtime config from ${origin} is not valid JSON`, { cause });
  }
  return parseRuntimeConfig(json);
}

/**
 * Loads the runtime config: the copy baked into the bundle, else the file named by
 * VIGIL_RUNTIME_CONFIG_FILE, else the JSON in VIGIL_RUNTIME_CONFIG.
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  if (typeof __VIGIL_RUNTIME_CONFIG__ === 'string') return parseText(__VIGIL_RUNTIME_CONFIG__, 'the bundle');
  const file = env['VIGIL_RUNTIME_CONFIG_FILE'];
  if (file) return parseText(readFileSync(file, 'utf8'), file);
  const inline = env['VIGIL_RUNTIME_CONFIG'];
  if (inline) return parseText(inline, 'VIGIL_RUNTIME_CONFIG');
  throw new ConfigError(
    'runtime config missing: not bundled, and neither VIGIL_RUNTIME_CONFIG_FILE nor VIGIL_RUNTIME_CONFIG is set',
  );
}
