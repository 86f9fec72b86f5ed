// Jest reporter: prints the fault suite's summary table (rows written by the fault scenarios) and
// where each security check of the test command ran, with its result. It only adds output.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ENV = 'VIGIL_FAULT_REPORT_DIR';

/** Security checks of the test command and the tests that perform them. */
const SECURITY_CHECKS = [
  {
    check: 'cdk-nag AwsSolutions: zero unacknowledged',
    file: 'test/infra/vigil-stack.test.ts',
    title: /cdk-nag AwsSolutions has no unacknowledged finding/,
  },
  {
    check: 'cfn-lint: zero errors',
    file: 'test/infra/vigil-stack.test.ts',
    title: /cfn-lint reports no errors/,
  },
  {
    check: 'IAM: no Action "*"',
    file: 'test/infra/vigil-stack.test.ts',
    title: /no IAM statement with Action "\*"/,
  },
  {
    check: 'IAM: Resource "*" only for allow-listed actions',
    file: 'test/infra/iam-wildcards.test.ts',
    title: /Resource "\*"/,
  },
  {
    check: 'every topic KMS-encrypted and TLS-only',
    file: 'test/infra/vigil-stack.test.ts',
    title: /encrypts every topic with KMS and denies non-TLS/,
  },
  {
    check: 'every queue KMS-encrypted and TLS-only',
    file: 'test/infra/vigil-stack.test.ts',
    title: /encrypts every queue with KMS and enforces TLS/,
  },
  {
    check: 'no secret value in any captured log',
    file: 'test/integration/delivery/secret-hygiene.test.ts',
    title: /./,
  },
];

const COLUMNS = [
  ['suite', 'suite'],
  ['scenario', 'scenario'],
  ['faults', 'faults injected'],
  ['events', 'events'],
  ['delivered', 'delivered'],
  ['lost', 'lost'],
  ['duplicated', 'duplicated'],
  ['note', 'note'],
];

const HOSTILE_COLUMNS = [
  ['route', 'route'],
  ['request', 'request'],
  ['status', 'status'],
  ['code', 'code'],
  ['unchanged', 'state unchanged'],
];

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function readRows(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => fs.readFileSync(path.join(dir, name), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Prints the fault summary at the end of a run. */
class FaultSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    // Set before the workers start, so the scenarios in every worker write to the same folder.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fault-report-'));
    process.env[ENV] = this.dir;
  }

  onRunComplete(_contexts, results) {
    const all = readRows(this.dir);
    fs.rmSync(this.dir, { recursive: true, force: true });
    const rows = all.filter((row) => row.kind === undefined);
    const hostile = all.filter((row) => row.kind === 'hostile-input');
    const out = [];
    if (rows.length > 0) {
      rows.sort((a, b) => `${a.suite} ${a.scenario}`.localeCompare(`${b.suite} ${b.scenario}`));
      const body = rows.map((row) =>
        COLUMNS.map(([key]) =>
          key === 'duplicated' && row.duplicateBound > 0
            ? `${row.duplicated} (<= ${row.duplicateBound})`
            : row[key],
        ),
      );
      const sum = (key) => rows.reduce((n, row) => n + row[key], 0);
      body.push([
        'TOTAL',
        `${rows.length} scenarios`,
        sum('faults'),
        sum('events'),
        sum('delivered'),
        sum('lost'),
        sum('duplicated'),
        '',
      ]);
      out.push(
        'Fault suite summary',
        table(
          COLUMNS.map(([, h]) => h),
          body,
        ),
      );
    }
    if (hostile.length > 0) {
      if (out.length > 0) out.push('');
      const order = ['slack', 'pagerduty', 'link', 'any'];
      hostile.sort((a, b) => order.indexOf(a.route) - order.indexOf(b.route));
      const changed = hostile.filter((row) => !row.unchanged).length;
      out.push(
        'Action endpoint: hostile input (each request against the real handler over HTTP; state read back from the table)',
        table(
          HOSTILE_COLUMNS.map(([, h]) => h),
          [
            ...hostile.map((row) =>
              HOSTILE_COLUMNS.map(([key]) =>
                key === 'unchanged' ? (row.unchanged ? 'yes' : 'NO') : row[key],
              ),
            ),
            [
              'TOTAL',
              `${hostile.length} requests`,
              '',
              '',
              changed === 0 ? 'all' : `${changed} changed state`,
            ],
          ],
        ),
      );
    }
    const ran = SECURITY_CHECKS.map((c) => {
      const file = results.testResults.find((r) => path.relative(this.rootDir, r.testFilePath) === c.file);
      const tests = (file?.testResults ?? []).filter((t) => c.title.test(t.fullName));
      const status =
        tests.length === 0 || tests.every((t) => t.status === 'pending' || t.status === 'skipped')
          ? 'not run'
          : tests.some((t) => t.status === 'failed')
            ? 'FAILED'
            : 'passed';
      return [c.check, status, `${c.file} (${tests.length} test${tests.length === 1 ? '' : 's'})`];
    });
    if (ran.some(([, status]) => status !== 'not run')) {
      out.push('', 'Security checks', table(['check', 'result', 'where'], ran));
    }
    if (out.length > 0) process.stdout.write(`\n${out.join('\n')}\n\n`);
  }
}

module.exports = FaultSummaryReporter;
