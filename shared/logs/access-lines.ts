/** Access logs: common and combined log format (nginx, Apache, API Gateway) and ALB. Pure. */
import { levelFromHttpStatus } from './log-levels';
import { parseIsoLike, parseTimestampMs } from './log-timestamps';
import { compact, dash } from './line-extraction';
import type { Extracted } from './line-extraction';

// host ident user [time] "request" status bytes [tail]
// Quoted strings are matched unrolled ([^"\\]*(?:\\.[^"\\]*)*): no alternation per character.
const CLF = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "([^"\\]*(?:\\.[^"\\]*)*)" (\d{3}|-) (\d+|-)(?: ([\s\S]*))?$/;
const COMBINED_TAIL = /^"([^"\\]*(?:\\.[^"\\]*)*)" "([^"\\]*(?:\\.[^"\\]*)*)"(?: ([\s\S]*))?$/;
const HTTP_REQUEST = /^(\S+) (\S+?)(?: (\S+))?$/;

export function accessLine(line: string): Extracted | undefined {
  if (!line.includes('] "')) return undefined;
  const m = CLF.exec(line);
  if (m === null) return undefined;
  const [, client, ident, user, time, request, status, bytes, tail] = m;
  const code = status === '-' ? undefined : Number(status);
  const parts = HTTP_REQUEST.exec(request ?? '');
  const fields: Record<string, unknown> = {
    client_ip: client,
    ident: dash(ident),
    user: dash(user),
    ...(parts !== null
      ? { method: parts[1], path: parts[2], protocol: parts[3] }
      : { request: request === '-' ? undefined : request }),
    status: code,
    bytes: bytes === '-' ? 0 : Number(bytes),
  };
  const extracted: Extracted = {
    format: 'clf',
    message: line,
    level: code === undefined ? 'info' : levelFromHttpStatus(code),
  };
  const ms = parseTimestampMs(time);
  if (ms !== undefined) {
    extracted.time = ms;
    extracted.timeRaw = time;
  }
  if (tail !== undefined && tail !== '') {
    const combined = COMBINED_TAIL.exec(tail);
    if (combined !== null) {
      extracted.format = 'combined';
      fields.referrer = dash(combined[1]);
      fields.user_agent = dash(combined[2]);
      if (combined[3] !== undefined && combined[3] !== '') fields.extra = combined[3];
    } else if (/^\S+$/.test(tail)) {
      // API Gateway's CLF access format ends with $context.requestId.
      extracted.format = 'apigw';
      extracted.requestId = tail;
    } else {
      fields.extra = tail;
    }
  }
  extracted.fields = compact(fields);
  return extracted;
}

const ALB_START = /^(?:https?|h2|grpcs|wss?) \d{4}-\d{2}-\d{2}T/;
const ALB_FIELDS = [
  'type',
  'time',
  'elb',
  'client',
  'target',
  'request_processing_time',
  'target_processing_time',
  'response_processing_time',
  'elb_status_code',
  'target_status_code',
  'received_bytes',
  'sent_bytes',
  'request',
  'user_agent',
  'ssl_cipher',
  'ssl_protocol',
  'target_group_arn',
  'trace_id',
  'domain_name',
  'chosen_cert_arn',
  'matched_rule_priority',
  'request_creation_time',
  'actions_executed',
  'redirect_url',
  'error_reason',
  'target_port_list',
  'target_status_code_list',
  'classification',
  'classification_reason',
  'conn_trace_id',
] as const;
const ALB_NUMBERS = new Set([
  'request_processing_time',
  'target_processing_time',
  'response_processing_time',
  'elb_status_code',
  'target_status_code',
  'received_bytes',
  'sent_bytes',
]);

/** Space-separated tokens, `"quoted strings"` as one token without their quotes. */
export function splitQuoted(line: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i += 1;
      continue;
    }
    if (line[i] === '"') {
      let j = i + 1;
      let value = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j += 1;
        value += line[j];
        j += 1;
      }
      tokens.push(value);
      i = j + 1;
    } else {
      const end = line.indexOf(' ', i);
      const stop = end < 0 ? line.length : end;
      tokens.push(line.slice(i, stop));
      i = stop;
    }
  }
  return tokens;
}

export function albLine(line: string): Extracted | undefined {
  if (!ALB_START.test(line)) return undefined;
  const tokens = splitQuoted(line);
  if (tokens.length < 13) return undefined;
  const fields: Record<string, unknown> = {};
  tokens.forEach((token, i) => {
    const name = ALB_FIELDS[i] ?? `field_${i}`;
    if (name === 'time' || token === '-' || token === '') return;
    fields[name] = ALB_NUMBERS.has(name) && /^-?\d+(\.\d+)?$/.test(token) ? Number(token) : token;
  });
  const request = typeof fields.request === 'string' ? HTTP_REQUEST.exec(fields.request) : null;
  if (request !== null) {
    fields.method = request[1];
    fields.url = request[2];
    fields.protocol = request[3];
  }
  const status = fields.elb_status_code;
  const extracted: Extracted = {
    format: 'alb',
    message: line,
    // No status: the load balancer closed the connection before answering.
    level: typeof status === 'number' ? levelFromHttpStatus(status) : 'warn',
    fields,
  };
  const time = parseIsoLike(tokens[1] ?? '');
  if (time !== undefined) {
    extracted.time = time;
    extracted.timeRaw = tokens[1];
  }
  const root = typeof fields.trace_id === 'string' ? /Root=([^;]+)/.exec(fields.trace_id)?.[1] : undefined;
  if (root !== undefined) extracted.traceId = root;
  return extracted;
}
