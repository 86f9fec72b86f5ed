import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../domain/errors';
import type * as RuntimeConfigModule from '../domain/runtime-config';
import type { RuntimeConfig } from '../domain/runtime-config';

/**
 * The schema module, loaded when something is to be validated: building its schemas takes a cold
 * start about 15 ms, which a function loading the file its build validated never needs to spend.
 */
function parseRuntimeConfig(input: unknown): RuntimeConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
  const schemas = require('../domain/runtime-config') as typeof RuntimeConfigModule;
  return schemas.parseRuntimeConfig(input);
}

// The SHA-256 of the runtime config file the build validated and shipped beside the bundle (esbuild
// `define`); absent when running from source (tests, replay, CLI).
declare const __VIGIL_RUNTIME_CONFIG_SHA256__: string | undefined;

/** Hex SHA-256 of a runtime config text. */
export function runtimeConfigDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The text to ship for `config`, and its digest when the text needs no validation at run time: it
 * parses to exactly what the schema makes of it (true of every config `deriveRuntimeConfig` makes,
 * which is the schema's own output). Throws, naming the problem, when `config` is not valid.
 */
export function shippedRuntimeConfig(config: unknown): { readonly text: string; readonly digest?: string } {
  const text = JSON.stringify(config);
  const json = JSON.parse(text) as unknown;
  const parsed = parseRuntimeConfig(json);
  return isDeepStrictEqual(parsed, json) ? { text, digest: runtimeConfigDigest(text) } : { text };
}

function parseText(text: string, origin: string, validatedDigest: string | undefined): RuntimeConfig {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ConfigError(`runtime config from ${origin} is not valid JSON`, { cause });
  }
  // The very text the build validated: parsing it again would only repeat the same checks.
  if (validatedDigest !== undefined && runtimeConfigDigest(text) === validatedDigest)
    return json as RuntimeConfig;
  return parseRuntimeConfig(json);
}

/**
 * Loads the runtime config: the file named by VIGIL_RUNTIME_CONFIG_FILE (the stack ships it beside
 * the bundle), else the JSON in VIGIL_RUNTIME_CONFIG. Validated against the schema unless it is
 * byte for byte the file the build validated.
 */
export function loadRuntimeConfig(
  env: NodeJS.ProcessEnv = process.env,
  validatedDigest: string | undefined = typeof __VIGIL_RUNTIME_CONFIG_SHA256__ === 'string'
    ? __VIGIL_RUNTIME_CONFIG_SHA256__
    : undefined,
): RuntimeConfig {
  const file = env['VIGIL_RUNTIME_CONFIG_FILE'];
  if (file) return parseText(readFileSync(file, 'utf8'), file, validatedDigest);
  const inline = env['VIGIL_RUNTIME_CONFIG'];
  if (inline) return parseText(inline, 'VIGIL_RUNTIME_CONFIG', undefined);
  throw new ConfigError(
    'runtime config missing: neither VIGIL_RUNTIME_CONFIG_FILE nor VIGIL_RUNTIME_CONFIG is set',
  );
}
