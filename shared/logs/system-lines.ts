/** Syslog (RFC 3164 and 5424), Ruby's Logger and glog lines. Pure. */
import type { LogLevel } from './log-document';
import { levelFromSyslogSeverity } from './log-levels';
import { monthIndex, nearestYearMs, parseIsoLike } from './log-timestamps';
import { addNote, compact, dash, readTextBody } from './line-extraction';
import type { Extracted } from './line-extraction';

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;
const RFC3164 =
  /^(?:<(\d{1,3})>)?([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) ([^\s:[]+)(?:\[([^\]]*)\])?: ?([\s\S]*)$/;
const SYSLOG_ISO = /^<(\d{1,3})>(\d{4}-\d{2}-\d{2}T\S+) (\S+) ([^\s:[]+)(?:\[([^\]]*)\])?: ?([\s\S]*)$/;

/** RFC 5424 structured data: `[id k="v" ...][id2 ...]`; returns the elements and where the message starts. */
function readStructuredData(text: string): { data: Record<string, Record<string, string>>; end: number } {
  const data: Record<string, Record<string, string>> = {};
  let i = 0;
  while (text[i] === '[') {
    const close = findElementEnd(text, i);
    if (close < 0) break;
    const element = text.slice(i + 1, close);
    const space = element.indexOf(' ');
    const id = space < 0 ? element : element.slice(0, space);
    const params: Record<string, string> = {};
    for (const [, name, value] of element.matchAll(/(\S+?)="((?:[^"\\]|\\.)*)"/g)) {
      params[name ?? ''] = (value ?? '').replace(/\\(["\\\]])/g, '$1');
    }
    data[id] = params;
    i = close + 1;
  }
  return { data, end: i };
}

function findElementEnd(text: string, start: number): number {
  let quoted = false;
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\') i += 1;
    else if (c === '"') quoted = !quoted;
    else if (c === ']' && !quoted) return i;
  }
  return -1;
}

function syslogPri(extracted: Extracted, fields: Record<string, unknown>, pri: string | undefined): void {
  if (pri === undefined) return;
  const value = Number(pri);
  if (value > 191) return;
  extracted.level = levelFromSyslogSeverity(value & 7);
  fields.facility = value >> 3;
  fields.severity = value & 7;
}

export function syslog5424(line: string): Extracted | undefined {
  const m = RFC5424.exec(line);
  if (m === null) return undefined;
  const [head, pri, time, host, app, procId, msgId] = m;
  const afterHeader = line.slice(head.length);
  let message: string;
  let structured: Record<string, Record<string, string>> | undefined;
  if (afterHeader.startsWith('-')) {
    message = afterHeader.slice(2);
  } else {
    const sd = readStructuredData(afterHeader);
    structured = sd.data;
    message = afterHeader.slice(sd.end + 1);
  }
  if (message.startsWith('\uFEFF')) message = message.slice(1);
  const fields: Record<string, unknown> = {
    host: dash(host),
    app_name: dash(app),
    proc_id: dash(procId),
    msg_id: dash(msgId),
    structured_data: structured,
  };
  const extracted: Extracted = { format: 'syslog', message, level: 'info' };
  syslogPri(extracted, fields, pri);
  const ms = time === '-' ? undefined : parseIsoLike(time ?? '');
  if (ms !== undefined) {
    extracted.time = ms;
    extracted.timeRaw = time;
  }
  extracted.fields = compact(fields);
  return extracted;
}

export function syslog3164(line: string, arrivalMs: number): Extracted | undefined {
  const iso = line.charCodeAt(0) === 60 ? SYSLOG_ISO.exec(line) : null;
  if (iso !== null) {
    const [, pri, time, host, program, pid, message] = iso;
    const fields: Record<string, unknown> = { host, program, pid };
    const extracted: Extracted = { format: 'syslog', message: message ?? '', level: 'info' };
    syslogPri(extracted, fields, pri);
    const ms = parseIsoLike(time ?? '');
    if (ms !== undefined) {
      extracted.time = ms;
      extracted.timeRaw = time;
    }
    extracted.fields = compact(fields);
    return extracted;
  }
  const m = RFC3164.exec(line);
  if (m === null) return undefined;
  const [, pri, mon, day, hh, mi, ss, host, program, pid, message] = m;
  const month = monthIndex(mon ?? '');
  if (month === undefined) return undefined;
  const fields: Record<string, unknown> = { host, program, pid };
  const extracted: Extracted = { format: 'syslog', message: message ?? '' };
  if (pri !== undefined) syslogPri(extracted, fields, pri);
  else readTextBody(extracted, message ?? '', false);
  const ms = nearestYearMs(arrivalMs, month, Number(day), Number(hh), Number(mi), Number(ss));
  if (ms !== undefined) {
    extracted.time = ms;
    extracted.timeRaw = line.slice(pri === undefined ? 0 : pri.length + 2).slice(0, 15);
    addNote(extracted, 'timestamp:year_inferred');
  }
  extracted.fields = compact(fields);
  return extracted;
}

// Ruby's Logger: `E, [2024-05-01T12:00:00.123456 #8] ERROR -- progname: message`
const RUBY = /^([DIWEFAU]), \[(\d{4}-\d{2}-\d{2}T[\d:.]+)(?: #(\d+))?\] +([A-Z]+) -- ([^:]*?): ([\s\S]*)$/;
const RUBY_LETTER: Readonly<Record<string, LogLevel>> = {
  D: 'debug',
  I: 'info',
  W: 'warn',
  E: 'error',
  F: 'fatal',
  A: 'info',
  U: 'info',
};
const UUID_LIKE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function rubyLine(line: string): Extracted | undefined {
  const m = RUBY.exec(line);
  if (m === null) return undefined;
  const [, letter, time, pid, , progname, message] = m;
  const extracted: Extracted = {
    format: 'text',
    message: message ?? '',
    level: RUBY_LETTER[letter ?? ''] ?? 'info',
  };
  const ms = parseIsoLike(time ?? '');
  if (ms !== undefined) {
    extracted.time = ms;
    extracted.timeRaw = time;
  }
  // The Lambda Ruby runtime's logger puts the request id where the program name goes.
  if (progname !== undefined && UUID_LIKE.test(progname)) extracted.requestId = progname;
  extracted.fields = compact({
    pid: pid === undefined ? undefined : Number(pid),
    progname: progname === '' || extracted.requestId !== undefined ? undefined : progname,
  });
  return extracted;
}

// glog / klog: `E0501 12:00:00.123456   42 server.go:87] message`
const GLOG = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,9}) +(\d+) ([^\]\s]+)\] ([\s\S]*)$/;
const GLOG_LETTER: Readonly<Record<string, LogLevel>> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };

export function glogLine(line: string, arrivalMs: number): Extracted | undefined {
  const m = GLOG.exec(line);
  if (m === null) return undefined;
  const [, letter, mm, dd, hh, mi, ss, fraction, thread, source, message] = m;
  const ms = nearestYearMs(
    arrivalMs,
    Number(mm) - 1,
    Number(dd),
    Number(hh),
    Number(mi),
    Number(ss),
    fraction,
  );
  if (ms === undefined) return undefined;
  const extracted: Extracted = {
    format: 'text',
    message: message ?? '',
    level: GLOG_LETTER[letter ?? ''] ?? 'info',
    time: ms,
    timeRaw: line.slice(1, line.indexOf(' ', 6)),
    fields: { thread: Number(thread), source },
  };
  addNote(extracted, 'timestamp:year_inferred');
  return extracted;
}
