/** Lambda runtime lines of every runtime, platform lines, and API Gateway execution logs. Pure. */
import type { LogLevel } from './log-document';
import { levelFromWord } from './log-levels';
import { parseIsoLike } from './log-timestamps';
import { readTextBody } from './line-extraction';
import type { Extracted } from './line-extraction';

// Request-id columns that mean "no request": init-phase lines of the Node.js and Python runtimes.
const NO_REQUEST = new Set(['', 'undefined', 'None', 'null', '-']);

/**
 * `<time>\t<request id>\t<LEVEL>\t<message>` (Node.js, .NET and custom runtimes), also without the
 * level column (older Node.js): the request id is any token without white space.
 */
export function runtimeTsv(line: string): Extracted | undefined {
  const tab1 = line.indexOf('\t');
  if (tab1 < 10 || tab1 > 40) return undefined;
  const time = parseIsoLike(line.slice(0, tab1));
  if (time === undefined) return undefined;
  const tab2 = line.indexOf('\t', tab1 + 1);
  if (tab2 < 0) return undefined;
  const requestId = line.slice(tab1 + 1, tab2);
  if (/\s/.test(requestId)) return undefined;
  const extracted: Extracted = { format: 'lambda-runtime', message: '', time, timeRaw: line.slice(0, tab1) };
  if (!NO_REQUEST.has(requestId)) extracted.requestId = requestId;
  const tab3 = line.indexOf('\t', tab2 + 1);
  const column = tab3 < 0 ? '' : line.slice(tab2 + 1, tab3);
  const level = column.length > 0 && column.length <= 13 ? levelFromWord(column) : undefined;
  if (level !== undefined) {
    extracted.level = level;
    extracted.message = line.slice(tab3 + 1);
  } else {
    readTextBody(extracted, line.slice(tab2 + 1), false);
  }
  return extracted;
}

// Python runtime: `[LEVEL]\t<time>\t<request id>\t<message>`
const PYTHON_RUNTIME = /^\[([A-Za-z]{3,13})\]\t([^\t]+)\t([^\t]*)\t([\s\S]*)$/;

export function pythonRuntime(line: string): Extracted | undefined {
  const m = PYTHON_RUNTIME.exec(line);
  if (m === null) return undefined;
  const level = levelFromWord(m[1] ?? '');
  const time = parseIsoLike(m[2] ?? '');
  if (level === undefined || time === undefined) return undefined;
  const extracted: Extracted = { format: 'lambda-runtime', message: m[4] ?? '', level, time, timeRaw: m[2] };
  const requestId = m[3] ?? '';
  if (!NO_REQUEST.has(requestId)) extracted.requestId = requestId;
  return extracted;
}

const PLATFORM_EVENT =
  /^(?:(START|END|REPORT|RESTORE_REPORT) RequestId: |(INIT_START|INIT_REPORT|INIT_RUNTIME_DONE|RESTORE_START|EXTENSION|TELEMETRY)[\t ])/;
const PLATFORM_ERROR = /^RequestId: (\S+) Error: /;
// `Name: value unit` parts of platform lines, by name: the field and whether the value is a number.
const PLATFORM_PARTS: ReadonlyMap<string, readonly [string, boolean]> = new Map([
  ['Duration', ['duration_ms', true]],
  ['Billed Duration', ['billed_duration_ms', true]],
  ['Init Duration', ['init_duration_ms', true]],
  ['Restore Duration', ['restore_duration_ms', true]],
  ['Billed Restore Duration', ['billed_restore_duration_ms', true]],
  ['Memory Size', ['memory_size_mb', true]],
  ['Max Memory Used', ['max_memory_used_mb', true]],
  ['Status', ['status', false]],
  ['Error Type', ['error_type', false]],
  ['Version', ['version', false]],
  ['Runtime Version', ['runtime_version', false]],
  ['Runtime Version ARN', ['runtime_version_arn', false]],
  ['Phase', ['phase', false]],
  ['Name', ['name', false]],
  ['State', ['state', false]],
  ['Events', ['events', false]],
  ['SegmentId', ['segment_id', false]],
  ['Sampled', ['sampled', false]],
]);

/** `Name: value` parts separated by tabs (and, in START lines, the space before the closing `Version:`). */
function readPlatformParts(line: string, extracted: Extracted, fields: Record<string, unknown>): void {
  for (const raw of line.split(/\t|\n| (?=Version: \S+$)/)) {
    const part = raw.trim();
    const colon = part.indexOf(': ');
    if (colon < 0) continue;
    let name = part.slice(0, colon);
    const value = part.slice(colon + 2).trim();
    if (name.endsWith('RequestId')) {
      extracted.requestId ??= value;
      continue;
    }
    if (name === 'XRAY TraceId') {
      extracted.traceId = value;
      continue;
    }
    const space = name.indexOf(' ');
    if (space > 0 && PLATFORM_EVENT.test(`${name} `)) name = name.slice(space + 1);
    const known = PLATFORM_PARTS.get(name);
    if (known === undefined) continue;
    const [field, numeric] = known;
    fields[field] = numeric ? Number.parseFloat(value) : value;
  }
}

export function platformLine(line: string): Extracted | undefined {
  if (line.charCodeAt(0) === 82 && line.startsWith('RequestId: ')) {
    const errorLine = PLATFORM_ERROR.exec(line);
    if (errorLine === null) return undefined;
    return {
      format: 'lambda-platform',
      message: line,
      level: 'error',
      requestId: errorLine[1],
      fields: { lambda_event: 'ERROR' },
    };
  }
  const event = PLATFORM_EVENT.exec(line);
  const kind = event?.[1] ?? event?.[2];
  if (kind === undefined) return undefined;
  const fields: Record<string, unknown> = { lambda_event: kind };
  const extracted: Extracted = { format: 'lambda-platform', message: line, level: 'info', fields };
  readPlatformParts(line, extracted, fields);
  const status = fields.status;
  if (typeof status === 'string' && status !== 'success') extracted.level = 'error';
  return extracted;
}

// API Gateway execution logs: `(<request id>) <message>`
// The id is a request id (8+ characters with a digit), so `(TRACE) entering` stays plain text.
const APIGW_EXECUTION = /^\((?=[^)]*\d)([^)\s]{8,})\) ([\s\S]*)$/;
const APIGW_FAILURE =
  /^(?:Execution failed|Lambda execution failed|Endpoint request timed out|Method completed with status: 5\d\d)/;
const APIGW_CLIENT_ERROR = /^Method completed with status: 4\d\d/;

export function apigwExecution(line: string): Extracted | undefined {
  const m = APIGW_EXECUTION.exec(line);
  if (m === null) return undefined;
  const message = m[2] ?? '';
  const level: LogLevel = APIGW_FAILURE.test(message)
    ? 'error'
    : APIGW_CLIENT_ERROR.test(message)
      ? 'warn'
      : 'info';
  return { format: 'apigw-execution', message, level, requestId: m[1] };
}
