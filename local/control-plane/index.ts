import { createCloudWatch } from './cloudwatch';
import { UnsupportedDefinition } from './errors';
import { createEventBus } from './event-bus';
import { createExecutions, type TaskCall } from './executions';
import { startHttpServer } from './http-server';
import type { SnsMessage } from './sns';
import { createTopics } from './sns';
import { createParameterStore } from './ssm';

export { UnsupportedDefinition } from './errors';

export interface ControlPlaneOptions {
  port?: number;
  accountId?: string;
  /** Runs one Task state's Lambda: the runtime will wire this to the region worker. */
  invokeFunction(region: string, functionArn: string, payload: unknown, task: TaskCall): Promise<unknown>;
  stateMachines: Array<{ region: string; name: string; arn: string; definition: object }>;
  alarms: Array<{ region: string; kind: 'metric' | 'composite'; properties: Record<string, unknown> }>;
  rules: Array<{
    region: string;
    name: string;
    eventPattern: Record<string, unknown>;
    target: {
      stateMachineArn: string;
      input?: string;
      inputPath?: string;
      inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
    };
  }>;
  parameters?: Array<{ region: string; name: string; value: string; type?: 'String' | 'SecureString' | 'StringList' }>;
  /** Local seconds per AWS second, e.g. 0.1 → a 10 s alarm period is evaluated every 1 s. Default 1. */
  timeScale?: number;
  /** When true for a region, every request for that region fails like an unreachable endpoint (socket destroyed) and its alarms stop evaluating. */
  isRegionDown?(region: string): boolean;
  /** Local seconds per AWS second for Wait states with fixed Seconds and Retry intervals. Default: timeScale. */
  waitTimeScale?: number;
  /** Milliseconds a Wait state of this name lasts, whatever its Seconds or path says: for tests only, the runtime sets none. */
  waitOverridesMs?: Record<string, number>;
  log?(line: string): void;
}

export interface ControlPlane {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  snsMessages(region?: string): SnsMessage[];
  alarmStates(
    region?: string,
  ): Array<{ region: string; name: string; state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'; reason: string; updatedAt: string }>;
  executions(
    region?: string,
  ): Array<{ executionArn: string; stateMachineArn: string; status: string; startDate: string; stopDate?: string }>;
  /** Alarm state changes and started executions, in order, for drills and tests. */
  events(): Array<Record<string, unknown>>;
  setParameter(region: string, name: string, value: string): void;
}

/**
 * The AWS control-plane APIs no npm package emulates (SSM Parameter Store, CloudWatch
 * metrics and alarms, Step Functions, SNS Publish), for both regions on one machine.
 * Services reach it unchanged through AWS_ENDPOINT_URL_{SSM,CLOUDWATCH,SFN,SNS}; the
 * region of each request comes from its SigV4 credential scope.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const accountId = options.accountId ?? '000000000000';
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new UnsupportedDefinition('timeScale must be a positive number');
  const log = options.log ?? (() => {});
  const isRegionDown = options.isRegionDown ?? (() => false);
  const events: Array<Record<string, unknown>> = [];

  const topics = createTopics();
  const parameters = createParameterStore(accountId);
  for (const p of options.parameters ?? []) parameters.set(p.region, p.name, p.value, p.type);

  const executions = createExecutions(options.stateMachines, {
    accountId,
    invokeFunction: options.invokeFunction,
    publishToTopic: (region, topicArn, message, subject) => topics.publish(region, topicArn, message, subject),
    waitTimeScale: options.waitTimeScale ?? timeScale,
    ...(options.waitOverridesMs ? { waitOverridesMs: options.waitOverridesMs } : {}),
    onExecutionStarted: (started) => events.push({ type: 'ExecutionStarted', at: new Date().toISOString(), ...started }),
  });
  const bus = createEventBus({
    rules: options.rules,
    startTarget: (rule, input) => {
      executions.start(rule.region, rule.target.stateMachineArn, input);
    },
    log,
  });
  const cloudWatch = createCloudWatch({
    accountId,
    timeScale,
    isRegionDown,
    onAlarmStateChange: (region, event) => {
      const detail = event.detail as { alarmName: string; state: { value: string; reason: string }; previousState: { value: string } };
      events.push({
        type: 'AlarmStateChange',
        at: new Date().toISOString(),
        region,
        alarmName: detail.alarmName,
        previousState: detail.previousState.value,
        state: detail.state.value,
        reason: detail.state.reason,
      });
      void bus.publish(region, event);
    },
    publishToTopic: (region, topicArn, subject, message) => {
      try {
        topics.publish(region, topicArn, message, subject);
      } catch (error) {
        // A misconfigured alarm action must not stop the alarm from changing state.
        log(`control-plane: alarm action to ${topicArn} failed: ${(error as Error).message}`);
      }
    },
    log,
  });
  cloudWatch.load(options.alarms);

  const { server, port } = await startHttpServer({
    port: options.port ?? 0,
    apis: [parameters.api, cloudWatch.api, executions.api, topics.api],
    isRegionDown,
    log,
  });
  cloudWatch.start();
  log(`control-plane: listening on http://127.0.0.1:${port}`);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      cloudWatch.stop();
      executions.stopAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    snsMessages: (region) => topics.messages(region),
    alarmStates: (region) => cloudWatch.states(region),
    executions: (region) => executions.list(region),
    events: () => [...events],
    setParameter: (region, name, value) => parameters.set(region, name, value),
  };
}
