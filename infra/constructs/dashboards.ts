import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { CatalogArea } from '../../shared/catalog/dokkerr-catalog';
import type { CatalogEntry, MetricCatalog } from '../config/schema';
import { catalogMetric } from './rule-alarms';

/** A service shown on the dashboards, with the dimension values its catalog metrics need. */
export interface DashboardService {
  /** Service name, used as the line label. */
  readonly service: string;
  /** Dimension values, e.g. `{ ClusterName, ServiceName, Service }`; metrics needing others are searched. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Properties of {@link Dashboards}. */
export interface DashboardsProps {
  /** Dashboard name prefix, e.g. "vigil-dev"; the overview is "<prefix>-dokkerr". */
  readonly namePrefix: string;
  /** The metric catalog (rows are built from its entries by area). */
  readonly catalog: MetricCatalog;
  /** Services to chart; {@link dashboardServicesFromRules} derives them from the rules' targets. */
  readonly services: readonly DashboardService[];
  /** The rule alarms, listed in an alarm-status widget. @default - no rule alarm widget */
  readonly ruleAlarms?: readonly cloudwatch.IAlarm[];
  /** The pipeline's own alarms, listed in a pipeline-health alarm-status widget. @default - no such widget */
  readonly pipelineAlarms?: readonly cloudwatch.IAlarm[];
  /** Catalog areas that get a row, in order. @default ['api', 'database', 'websocket', 'users'] */
  readonly areas?: readonly CatalogArea[];
  /** CPU gauge bands: warning and critical percentages. @default { warning: 50, critical: 80 } */
  readonly cpuThresholds?: { readonly warning: number; readonly critical: number };
  /**
   * Services charted line by line, in the order given; the dashboard says how many more there are.
   * CloudWatch takes at most 500 metrics per graph and 2,500 per dashboard, and a hundred services
   * of lines is unreadable anyway; every service's alarms stay in the alarm-status widgets. @default 20
   */
  readonly maxChartedServices?: number;
}

/** Title and catalog name of each seed panel, so tests and readers find them by intent. */
export const SEED_PANELS = {
  cpu: { title: 'CPU utilisation (%)', metric: 'cpu_usage' },
  memory: { title: 'Memory utilisation (%), last 24 hours', metric: 'memory_usage' },
  requestRate: { title: 'Request rate (req/s), last hour', metric: 'request_rate' },
  errorRate: { title: 'Error rate (%), last hour', metric: 'error_rate' },
} as const;

const AREA_TITLES: Record<CatalogArea, string> = {
  system: 'System',
  application: 'Application',
  api: 'API',
  database: 'Database',
  websocket: 'WebSockets',
  users: 'Users',
};

const FULL_WIDTH = 24;
const PANEL_WIDTH = 6;
const PANEL_HEIGHT = 6;

/**
 * Merges rule targets into one entry per service with every dimension value any rule gives it. The
 * application's instrumentation sets `Service` to the service name, so that value is assumed when
 * no rule gives it (a service watched only through AWS metrics still gets its application rows).
 */
export function dashboardServicesFromRules(
  rules: readonly {
    readonly targets: readonly { readonly service: string; readonly dimensions: Record<string, string> }[];
  }[],
): DashboardService[] {
  const merged = new Map<string, Record<string, string>>();
  for (const target of rules.flatMap((r) => r.targets)) {
    merged.set(target.service, { ...merged.get(target.service), ...target.dimensions });
  }
  return [...merged].map(([service, dimensions]) => ({
    service,
    dimensions: { Service: service, ...dimensions },
  }));
}

function dimensionsOf(catalog: MetricCatalog, entry: CatalogEntry): string[] {
  if (entry.kind === 'metric') return entry.dimensions;
  return [
    ...new Set(
      Object.values(entry.using).flatMap((ref) => {
        const used = catalog[ref];
        return used?.kind === 'metric' ? used.dimensions : [];
      }),
    ),
  ];
}

/** CloudWatch shows at most 100 alarms in one status widget: one widget per 100. */
const ALARMS_PER_WIDGET = 100;

function alarmStatusWidgets(title: string, alarms: readonly cloudwatch.IAlarm[]): cloudwatch.IWidget[] {
  const widgets: cloudwatch.IWidget[] = [];
  for (let start = 0; start < alarms.length; start += ALARMS_PER_WIDGET) {
    widgets.push(
      new cloudwatch.AlarmStatusWidget({
        title: start === 0 ? title : `${title} (${start / ALARMS_PER_WIDGET + 1})`,
        alarms: alarms.slice(start, start + ALARMS_PER_WIDGET),
        width: FULL_WIDTH,
        height: 4,
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
      }),
    );
  }
  return widgets;
}

function searchLiteral(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The application dashboard: the seed panels (CPU gauge, memory, request and error rate), one row per
 * catalog area for the configured services, and alarm-status widgets for the rule and pipeline alarms.
 */
export class Dashboards extends Construct {
  /** The overview dashboard of the watched application. */
  public readonly overview: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    if (props.services.length === 0)
      throw new Error('Dashboards services: give at least one service to chart');
    const cpu = props.cpuThresholds ?? { warning: 50, critical: 80 };
    if (!(cpu.warning < cpu.critical))
      throw new Error(
        `Dashboards cpuThresholds: warning ${cpu.warning} must be below critical ${cpu.critical}`,
      );
    for (const panel of Object.values(SEED_PANELS)) {
      if (!props.catalog[panel.metric])
        throw new Error(`Dashboards catalog: "${panel.metric}" is missing (needed by "${panel.title}")`);
    }

    this.overview = new cloudwatch.Dashboard(this, 'Overview', {
      dashboardName: `${props.namePrefix}-dokkerr`,
      defaultInterval: Duration.hours(3),
    });

    for (const widget of [
      ...alarmStatusWidgets('Rule alarms', props.ruleAlarms ?? []),
      ...alarmStatusWidgets('Pipeline health', props.pipelineAlarms ?? []),
    ]) {
      this.overview.addWidgets(widget);
    }

    const max = props.maxChartedServices ?? 20;
    if (!Number.isInteger(max) || max < 1)
      throw new Error(`Dashboards maxChartedServices: ${max} must be a whole number of at least 1`);
    const charted = { ...props, services: props.services.slice(0, max) };
    if (props.services.length > max) {
      this.overview.addWidgets(
        new cloudwatch.TextWidget({
          markdown: `Charts show the first ${max} of ${props.services.length} services (${charted.services[0]?.service ?? ''} to ${charted.services.at(-1)?.service ?? ''}); the alarms of all of them are in the status widgets above.`,
          width: FULL_WIDTH,
          height: 1,
        }),
      );
    }
    this.overview.addWidgets(...this.seedPanels(charted, cpu));
    for (const area of props.areas ?? ['api', 'database', 'websocket', 'users']) {
      const panels = this.areaPanels(charted, area);
      if (panels.length === 0) continue;
      this.overview.addWidgets(
        new cloudwatch.TextWidget({ markdown: `## ${AREA_TITLES[area]}`, width: FULL_WIDTH, height: 1 }),
      );
      this.overview.addWidgets(...panels);
    }
  }

  /** Services whose dimensions fill every dimension the entry needs. */
  private servicesFor(props: DashboardsProps, name: string): DashboardService[] {
    const entry = props.catalog[name];
    if (!entry) return [];
    const needed = dimensionsOf(props.catalog, entry);
    return props.services.filter((s) => needed.every((d) => d in s.dimensions));
  }

  /**
   * One line per service. Math ids get a per-service suffix: a graph may not use one id for two
   * different metrics, and every service's error rate uses `errors` and `requests`.
   */
  private lines(props: DashboardsProps, name: string, period: Duration): cloudwatch.IMetric[] {
    const entry = props.catalog[name];
    if (!entry) return [];
    return this.servicesFor(props, name).map((s, index) => {
      const dimensions = { ...s.dimensions };
      if (entry.kind === 'metric') {
        const metric = catalogMetric(props.catalog, name, dimensions, period);
        return metric instanceof cloudwatch.Metric ? metric.with({ label: s.service }) : metric;
      }
      const ids = Object.keys(entry.using);
      const rename = (id: string): string => `${id}_s${index}`;
      const usingMetrics = Object.fromEntries(
        Object.entries(entry.using).map(([id, ref]) => [
          rename(id),
          catalogMetric(props.catalog, ref, dimensions, period),
        ]),
      );
      const expression = entry.expression.replace(new RegExp(`\\b(${ids.join('|')})\\b`, 'g'), (id) =>
        rename(id),
      );
      return new cloudwatch.MathExpression({ expression, usingMetrics, period, label: s.service });
    });
  }

  private seedPanels(
    props: DashboardsProps,
    cpu: { readonly warning: number; readonly critical: number },
  ): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GaugeWidget({
        title: SEED_PANELS.cpu.title,
        metrics: this.lines(props, SEED_PANELS.cpu.metric, Duration.minutes(5)),
        leftYAxis: { min: 0, max: 100 },
        annotations: [
          {
            value: cpu.warning,
            label: `warning ${cpu.warning}%`,
            color: cloudwatch.Color.ORANGE,
            fill: cloudwatch.Shading.ABOVE,
          },
          {
            value: cpu.critical,
            label: `critical ${cpu.critical}%`,
            color: cloudwatch.Color.RED,
            fill: cloudwatch.Shading.ABOVE,
          },
        ],
        width: PANEL_WIDTH,
        height: PANEL_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: SEED_PANELS.memory.title,
        left: this.lines(props, SEED_PANELS.memory.metric, Duration.minutes(5)),
        leftYAxis: { min: 0, max: 100 },
        start: '-PT24H',
        width: PANEL_WIDTH,
        height: PANEL_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: SEED_PANELS.requestRate.title,
        left: this.lines(props, SEED_PANELS.requestRate.metric, Duration.minutes(1)),
        leftYAxis: { min: 0 },
        start: '-PT1H',
        width: PANEL_WIDTH,
        height: PANEL_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: SEED_PANELS.errorRate.title,
        left: this.lines(props, SEED_PANELS.errorRate.metric, Duration.minutes(1)),
        leftYAxis: { min: 0 },
        start: '-PT1H',
        width: PANEL_WIDTH,
        height: PANEL_HEIGHT,
      }),
    ];
  }

  /**
   * One graph per catalog entry of the area. A metric whose dimensions the services only partly
   * give (an `Endpoint`, a bucket `Le`) is charted with a SEARCH over the missing ones.
   */
  private areaPanels(props: DashboardsProps, area: CatalogArea): cloudwatch.IWidget[] {
    const period = Duration.minutes(5);
    const panels: cloudwatch.IWidget[] = [];
    for (const [name, entry] of Object.entries(props.catalog)) {
      if (entry.area !== area) continue;
      let metrics = this.lines(props, name, period);
      if (metrics.length === 0 && entry.kind === 'metric') {
        metrics = this.searches(props, entry, period);
      }
      if (metrics.length === 0) continue;
      panels.push(
        new cloudwatch.GraphWidget({
          title: `${entry.description} (${entry.unit})`,
          left: metrics,
          width: PANEL_WIDTH,
          height: PANEL_HEIGHT,
        }),
      );
    }
    return panels;
  }

  private searches(
    props: DashboardsProps,
    entry: Extract<CatalogEntry, { kind: 'metric' }>,
    period: Duration,
  ): cloudwatch.IMetric[] {
    const schema = `{${[entry.namespace, ...entry.dimensions].join(',')}}`;
    const filters = props.services
      .map((s) => ({
        service: s.service,
        fixed: entry.dimensions
          .filter((d) => d in s.dimensions)
          .map((d) => `${d}=${searchLiteral(s.dimensions[d] ?? '')}`),
      }))
      .filter((f) => f.fixed.length > 0);
    // No service narrows it: one account-wide search rather than nothing.
    const queries = filters.length > 0 ? filters : [{ service: undefined, fixed: [] as string[] }];
    return queries.map((q) => {
      // Each line found is labelled by the dimensions the search left open (the endpoint, the bucket).
      const open = entry.dimensions.filter((d) => !q.fixed.some((f) => f.startsWith(`${d}=`)));
      const label = [q.service, ...open.map((d) => `\${PROP('Dim.${d}')}`)]
        .filter((part) => part !== undefined)
        .join(' ');
      return new cloudwatch.MathExpression({
        expression: `SEARCH('${[schema, `MetricName=${searchLiteral(entry.metricName)}`, ...q.fixed].join(' ')}', '${entry.statistic}', ${period.toSeconds()})`,
        usingMetrics: {},
        label,
        period,
      });
    });
  }
}
