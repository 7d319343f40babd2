import { randomUUID } from 'node:crypto';
import {
  type AlarmState,
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  evaluateMetricAlarm,
  type MetricAlarmRule,
  MISSING_DATA_TREATMENTS,
  periodIndex,
  recentPeriods,
  STATISTICS,
  statisticOf,
  type TreatMissingData,
} from './alarm-evaluation';
import { type AlarmRule, AlarmRuleSyntaxError, alarmsReferencedBy, evaluateAlarmRule, parseAlarmRule } from './alarm-rule';
import { AwsServiceError, UnsupportedDefinition } from './errors';
import type { ServiceApi } from './http-server';
import { createMetricStore, type Dimension, invalidParameter, metricKey, parseDimensions } from './metric-store';
import { fieldsOf, getOrCreate, optionalStringList, page, requiredString } from './request-fields';

interface MetricAlarmConfig extends MetricAlarmRule {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  /** AWS seconds. */
  period: number;
}

interface Alarm {
  kind: 'metric' | 'composite';
  region: string;
  name: string;
  arn: string;
  /** The definition as given, echoed by DescribeAlarms. */
  properties: Record<string, unknown>;
  metric?: MetricAlarmConfig;
  rule?: AlarmRule;
  state: AlarmState;
  reason: string;
  updatedAt: Date;
  configuredAt: Date;
  lastEvaluatedPeriod: number;
}

export interface AlarmStateView {
  region: string;
  name: string;
  state: AlarmState;
  reason: string;
  updatedAt: string;
}

export interface CloudWatchDeps {
  accountId: string;
  /** Local seconds per AWS second. */
  timeScale: number;
  isRegionDown(region: string): boolean;
  /** Called with the EventBridge "CloudWatch Alarm State Change" event of every transition. */
  onAlarmStateChange(region: string, event: Record<string, unknown>): void;
  /** Alarm actions that name an SNS topic publish to it. */
  publishToTopic(region: string, topicArn: string, subject: string, message: string): void;
  log(line: string): void;
}

const STATE_VALUES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

function numberField(props: Record<string, unknown>, key: string, fallback?: number): number {
  const raw = props[key] ?? fallback;
  // CloudFormation hands numbers over as strings as often as not.
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameter(`${key} must be a number`);
  return value;
}

function oneOf<T extends string>(props: Record<string, unknown>, key: string, allowed: T[], fallback?: T): T {
  const value = props[key] ?? fallback;
  if (!allowed.includes(value as T)) throw invalidParameter(`${key} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Reads PutMetricAlarm input or CloudFormation AWS::CloudWatch::Alarm Properties (same field names). */
export function parseMetricAlarm(props: Record<string, unknown>): MetricAlarmConfig {
  if (props.ExtendedStatistic !== undefined) throw invalidParameter('ExtendedStatistic (percentiles) is not supported locally');
  let source = props;
  let stat = props.Statistic;
  if (props.Metrics !== undefined) {
    // A single MetricStat is a plain metric alarm in disguise; real metric math is not emulated.
    const queries = Array.isArray(props.Metrics) ? props.Metrics.map(fieldsOf) : [];
    const only = queries.length === 1 ? queries[0] : undefined;
    if (!only || only.Expression !== undefined || only.MetricStat === undefined)
      throw invalidParameter('Metric math (Metrics with Expression or several queries) is not supported by the local control plane');
    const metricStat = fieldsOf(only.MetricStat);
    source = { ...fieldsOf(metricStat.Metric), Period: metricStat.Period };
    stat = metricStat.Stat;
  }
  if (props.ComparisonOperator !== undefined && !COMPARISON_OPERATORS.includes(props.ComparisonOperator as ComparisonOperator))
    throw invalidParameter(
      `ComparisonOperator ${String(props.ComparisonOperator)} is not supported locally (anomaly detection is not emulated)`,
    );
  const evaluationPeriods = numberField(props, 'EvaluationPeriods');
  const config: MetricAlarmConfig = {
    namespace: requiredString(source, 'Namespace', invalidParameter),
    metricName: requiredString(source, 'MetricName', invalidParameter),
    dimensions: parseDimensions(source.Dimensions, 'alarm'),
    period: numberField(source, 'Period'),
    statistic: oneOf({ Statistic: stat }, 'Statistic', STATISTICS),
    comparisonOperator: oneOf(props, 'ComparisonOperator', COMPARISON_OPERATORS),
    threshold: numberField(props, 'Threshold'),
    evaluationPeriods,
    datapointsToAlarm: numberField(props, 'DatapointsToAlarm', evaluationPeriods),
    treatMissingData: oneOf(props, 'TreatMissingData', MISSING_DATA_TREATMENTS, 'missing' as TreatMissingData),
  };
  if (config.period <= 0 || config.evaluationPeriods < 1 || config.datapointsToAlarm < 1 || config.datapointsToAlarm > evaluationPeriods)
    throw invalidParameter('Period must be positive and 1 <= DatapointsToAlarm <= EvaluationPeriods');
  return config;
}

/** CloudWatch metrics and alarms of every region, with the alarms evaluated on a timer. */
export function createCloudWatch(deps: CloudWatchDeps) {
  const now = Date.now;
  const metrics = createMetricStore(now);
  const regions = new Map<string, Map<string, Alarm>>();
  const alarmsOf = (region: string) => getOrCreate(regions, region, () => new Map<string, Alarm>());
  const periodMs = (awsSeconds: number) => Math.max(1, awsSeconds * 1000 * deps.timeScale);
  const stamp = (date: Date) => date.toISOString().replace('Z', '+0000');

  function configuration(alarm: Alarm): Record<string, unknown> {
    const description = alarm.properties.AlarmDescription;
    if (alarm.rule) return { alarmRule: alarm.properties.AlarmRule, description };
    const m = alarm.metric!;
    const dimensions = Object.fromEntries(m.dimensions.map((d) => [d.Name, d.Value]));
    return {
      description,
      metrics: [
        {
          id: 'm1',
          metricStat: { metric: { namespace: m.namespace, name: m.metricName, dimensions }, period: m.period, stat: m.statistic },
          returnData: true,
        },
      ],
    };
  }

  function transition(alarm: Alarm, state: AlarmState, reason: string): boolean {
    if (state === alarm.state) return false;
    const previous = { value: alarm.state, reason: alarm.reason, timestamp: stamp(alarm.updatedAt) };
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAt = new Date(now());
    deps.onAlarmStateChange(alarm.region, {
      version: '0',
      id: randomUUID(),
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: deps.accountId,
      time: alarm.updatedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      region: alarm.region,
      resources: [alarm.arn],
      detail: {
        alarmName: alarm.name,
        state: { value: state, reason, timestamp: stamp(alarm.updatedAt) },
        previousState: previous,
        configuration: configuration(alarm),
      },
    });
    notifyActions(alarm, previous.value);
    return true;
  }

  function notifyActions(alarm: Alarm, previous: AlarmState): void {
    if (alarm.properties.ActionsEnabled === false || alarm.properties.ActionsEnabled === 'false') return;
    const key = alarm.state === 'ALARM' ? 'AlarmActions' : alarm.state === 'OK' ? 'OKActions' : 'InsufficientDataActions';
    const actions = Array.isArray(alarm.properties[key]) ? (alarm.properties[key] as unknown[]) : [];
    const message = JSON.stringify({
      AlarmName: alarm.name,
      AlarmDescription: alarm.properties.AlarmDescription ?? null,
      AWSAccountId: deps.accountId,
      NewStateValue: alarm.state,
      NewStateReason: alarm.reason,
      StateChangeTime: stamp(alarm.updatedAt),
      Region: alarm.region,
      AlarmArn: alarm.arn,
      OldStateValue: previous,
    });
    for (const action of actions)
      if (typeof action === 'string' && action.startsWith('arn:aws:sns:'))
        deps.publishToTopic(alarm.region, action, `${alarm.state}: "${alarm.name}" in ${alarm.region}`, message);
  }

  function evaluateComposites(region: string): void {
    const alarms = alarmsOf(region);
    const composites = [...alarms.values()].filter((a) => a.rule);
    // Composites may watch composites: settle until nothing changes (cycles are refused at creation).
    for (let pass = 0; pass <= composites.length; pass++) {
      let changed = false;
      for (const alarm of composites) {
        const holds = evaluateAlarmRule(alarm.rule!, (name) => alarms.get(name)?.state);
        const reason = `Composite alarm rule ${holds ? 'evaluated to TRUE' : 'evaluated to FALSE'}: ${String(alarm.properties.AlarmRule)}`;
        changed = transition(alarm, holds ? 'ALARM' : 'OK', reason) || changed;
      }
      if (!changed) return;
    }
  }

  function evaluate(): void {
    const at = now();
    for (const [region, alarms] of regions) {
      if (deps.isRegionDown(region)) continue;
      let changed = false;
      for (const alarm of alarms.values()) {
        const m = alarm.metric;
        if (!m) continue;
        // CloudWatch evaluates an alarm once per period, so SetAlarmState holds until the next one.
        const current = periodIndex(at, periodMs(m.period));
        if (current === alarm.lastEvaluatedPeriod) continue;
        alarm.lastEvaluatedPeriod = current;
        const buckets = recentPeriods(metrics.datapoints(region, metricKey(m.namespace, m.metricName, m.dimensions)), {
          periodMs: periodMs(m.period),
          periods: m.evaluationPeriods,
          now: at,
        });
        const values = buckets.map((b) => (b ? statisticOf(b, m.statistic) : undefined));
        const next = evaluateMetricAlarm(m, values, alarm.state);
        changed = transition(alarm, next.state, next.reason) || changed;
      }
      if (changed) evaluateComposites(region);
    }
  }

  function define(region: string, kind: 'metric' | 'composite', props: Record<string, unknown>): Alarm {
    const name = requiredString(props, 'AlarmName', invalidParameter);
    const alarms = alarmsOf(region);
    const existing = alarms.get(name);
    const alarm: Alarm = {
      kind,
      region,
      name,
      arn: `arn:aws:cloudwatch:${region}:${deps.accountId}:alarm:${name}`,
      properties: props,
      state: existing?.state ?? 'INSUFFICIENT_DATA',
      reason: existing?.reason ?? 'Unchecked: Initial alarm creation',
      updatedAt: existing?.updatedAt ?? new Date(now()),
      configuredAt: new Date(now()),
      lastEvaluatedPeriod: -1,
    };
    if (kind === 'metric') alarm.metric = parseMetricAlarm(props);
    else {
      try {
        alarm.rule = parseAlarmRule(requiredString(props, 'AlarmRule', invalidParameter));
      } catch (error) {
        if (error instanceof AlarmRuleSyntaxError) throw invalidParameter(error.message);
        throw error;
      }
    }
    alarms.set(name, alarm);
    return alarm;
  }

  /** Refuses rules that name unknown alarms or that would make composites watch themselves. */
  function checkComposite(region: string, alarm: Alarm): void {
    const alarms = alarmsOf(region);
    const missing = alarmsReferencedBy(alarm.rule!).filter((n) => !alarms.has(n));
    if (missing.length > 0)
      throw invalidParameter(`Composite alarm ${alarm.name} refers to alarms that do not exist: ${missing.join(', ')}`);
    const visit = (name: string, path: string[]): void => {
      const rule = alarms.get(name)?.rule;
      if (!rule) return;
      if (path.includes(name)) throw invalidParameter(`Composite alarms form a cycle: ${[...path, name].join(' -> ')}`);
      for (const child of alarmsReferencedBy(rule)) visit(child, [...path, name]);
    };
    visit(alarm.name, []);
  }

  function putComposite(region: string, props: Record<string, unknown>): void {
    const before = alarmsOf(region).get(String(props.AlarmName));
    const alarm = define(region, 'composite', props);
    try {
      checkComposite(region, alarm);
    } catch (error) {
      if (before) alarmsOf(region).set(before.name, before);
      else alarmsOf(region).delete(alarm.name);
      throw error;
    }
    if (!deps.isRegionDown(region)) evaluateComposites(region);
  }

  const describe = (alarm: Alarm) => {
    const common = {
      AlarmName: alarm.name,
      AlarmArn: alarm.arn,
      AlarmDescription: alarm.properties.AlarmDescription,
      ActionsEnabled: alarm.properties.ActionsEnabled !== false && alarm.properties.ActionsEnabled !== 'false',
      AlarmActions: alarm.properties.AlarmActions ?? [],
      OKActions: alarm.properties.OKActions ?? [],
      InsufficientDataActions: alarm.properties.InsufficientDataActions ?? [],
      AlarmConfigurationUpdatedTimestamp: alarm.configuredAt.getTime() / 1000,
      StateValue: alarm.state,
      StateReason: alarm.reason,
      StateUpdatedTimestamp: alarm.updatedAt.getTime() / 1000,
      StateTransitionedTimestamp: alarm.updatedAt.getTime() / 1000,
    };
    if (alarm.rule) return { ...common, AlarmRule: alarm.properties.AlarmRule };
    const m = alarm.metric!;
    return {
      ...common,
      Namespace: m.namespace,
      MetricName: m.metricName,
      Dimensions: m.dimensions,
      Statistic: m.statistic,
      Period: m.period,
      EvaluationPeriods: m.evaluationPeriods,
      DatapointsToAlarm: m.datapointsToAlarm,
      Threshold: m.threshold,
      ComparisonOperator: m.comparisonOperator,
      TreatMissingData: m.treatMissingData,
    };
  };

  const api: ServiceApi = {
    address: 'GraniteServiceVersion20100801',
    protocol: 'json-1.0',
    queryCompatible: true,
    operations: {
      PutMetricData(region, input) {
        metrics.put(region, input);
        return {};
      },
      GetMetricStatistics(region, input) {
        return metrics.statistics(region, input, periodMs(numberField(input, 'Period')));
      },
      PutMetricAlarm(region, input) {
        define(region, 'metric', input);
        return {};
      },
      PutCompositeAlarm(region, input) {
        putComposite(region, input);
        return {};
      },
      DescribeAlarms(region, input) {
        const names = optionalStringList(input, 'AlarmNames', invalidParameter);
        const types = optionalStringList(input, 'AlarmTypes', invalidParameter) ?? ['MetricAlarm'];
        const prefix = typeof input.AlarmNamePrefix === 'string' ? input.AlarmNamePrefix : undefined;
        const stateValue = input.StateValue;
        const matching = [...alarmsOf(region).values()]
          .filter(
            (a) => (!names || names.includes(a.name)) && (!prefix || a.name.startsWith(prefix)) && (!stateValue || a.state === stateValue),
          )
          .filter((a) => types.includes(a.kind === 'metric' ? 'MetricAlarm' : 'CompositeAlarm'))
          .sort((a, b) => a.name.localeCompare(b.name));
        const { items, nextToken } = page(matching, input.MaxRecords, input.NextToken, 100);
        return {
          MetricAlarms: items.filter((a) => a.kind === 'metric').map(describe),
          CompositeAlarms: items.filter((a) => a.kind === 'composite').map(describe),
          NextToken: nextToken,
        };
      },
      SetAlarmState(region, input) {
        const name = requiredString(input, 'AlarmName', invalidParameter);
        const alarm = alarmsOf(region).get(name);
        if (!alarm) throw new AwsServiceError('ResourceNotFound', `Alarm ${name} does not exist in ${region}`, 404, 'ResourceNotFound');
        const state = oneOf(input, 'StateValue', STATE_VALUES);
        transition(alarm, state, requiredString(input, 'StateReason', invalidParameter));
        if (alarm.kind === 'metric') evaluateComposites(region);
        return {};
      },
    },
  };

  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const tickMs = () => {
    const periods = [...regions.values()].flatMap((alarms) =>
      [...alarms.values()].flatMap((a) => (a.metric ? [periodMs(a.metric.period)] : [])),
    );
    return Math.min(1000, Math.max(10, Math.min(...periods, 4000) / 4));
  };
  const loop = () => {
    if (!running) return;
    try {
      evaluate();
    } catch (error) {
      // One broken evaluation must not stop every alarm of both regions for good.
      deps.log(`control-plane: alarm evaluation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    timer = setTimeout(loop, tickMs());
  };

  return {
    api,
    /** Loads alarms declared in CloudFormation; composites after metric alarms so their references resolve. */
    load(definitions: Array<{ region: string; kind: 'metric' | 'composite'; properties: Record<string, unknown> }>): void {
      const named = (d: (typeof definitions)[number], action: () => void) => {
        try {
          action();
        } catch (error) {
          throw new UnsupportedDefinition(
            `Alarm ${String(d.properties.AlarmName ?? '(no AlarmName)')} (${d.region}): ${(error as Error).message}`,
          );
        }
      };
      const composites = definitions.filter((d) => d.kind === 'composite');
      for (const d of [...definitions.filter((x) => x.kind === 'metric'), ...composites])
        named(d, () => define(d.region, d.kind, d.properties));
      for (const d of composites) named(d, () => checkComposite(d.region, alarmsOf(d.region).get(String(d.properties.AlarmName))!));
    },
    start(): void {
      running = true;
      for (const region of regions.keys()) if (!deps.isRegionDown(region)) evaluateComposites(region);
      loop();
    },
    stop(): void {
      running = false;
      clearTimeout(timer);
    },
    states(region?: string): AlarmStateView[] {
      return [...regions.values()]
        .flatMap((alarms) => [...alarms.values()])
        .filter((a) => !region || a.region === region)
        .map((a) => ({ region: a.region, name: a.name, state: a.state, reason: a.reason, updatedAt: a.updatedAt.toISOString() }));
    },
  };
}
