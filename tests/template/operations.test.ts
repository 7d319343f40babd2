// Deploy-time hardening of both regions' packaged templates (issue 15): what the CloudFormation
// linters (cfn-lint, checkov) ask for, checked here because they cannot run on this machine.
import { bothRegions, type CfnTemplate, packagedTemplate, propertiesOf, resolvedValue, resourcesOfType, stage } from '../support/templates';

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: unknown };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const ALARM_PREFIX = 'switchyard-dev-';

function roleStatements(template: CfnTemplate, roleId: string): Statement[] {
  const policies = (propertiesOf(template, roleId).Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Effect === 'Allow');
}

const roleOf = (template: CfnTemplate, functionId: string) =>
  (propertiesOf(template, functionId).Role['Fn::GetAtt'] as string[])[0] as string;

describe.each(bothRegions())('the %s template', (_role, region) => {
  const template = packagedTemplate(region);
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');

  describe('HTTP API', () => {
    const apiStage = propertiesOf(template, 'HttpApiStage');

    it('writes access logs to a log group with a retention', () => {
      expect(apiStage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
      const format = JSON.parse(apiStage.AccessLogSettings.Format);
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
      expect(propertiesOf(template, 'HttpApiLogGroup').RetentionInDays).toBeGreaterThan(0);
    });

    it('throttles every route by the stage settings', () => {
      expect(apiStage.DefaultRouteSettings).toMatchObject({
        ThrottlingRateLimit: stage.capacity.apiThrottlingRateLimit,
        ThrottlingBurstLimit: stage.capacity.apiThrottlingBurstLimit,
      });
    });
  });

  describe('scheduled functions', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) => (r.Properties as any).ScheduleExpression);
    const scheduled = rules.flatMap(([, r]) => (r.Properties as any).Targets.map((t: any) => t.Arn['Fn::GetAtt'][0] as string));

    it('have an asynchronous invoke config without retries and with a maximum event age', () => {
      expect(scheduled.length).toBeGreaterThan(0);
      const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties as any);
      for (const fn of scheduled) {
        const config = configs.find((c) => c.FunctionName?.Ref === fn);
        expect({ fn, config }).toEqual({
          fn,
          config: expect.objectContaining({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: expect.any(Number) }),
        });
        // A minute: the next scheduled run probes anyway.
        expect(config.MaximumEventAgeInSeconds).toBeLessThanOrEqual(60);
      }
    });
  });

  describe('reserved concurrency', () => {
    const reserved = (id: string) => resolvedValue(template, propertiesOf(template, id).ReservedConcurrentExecutions);

    it('reserves capacity.probeReservedConcurrency for the health probe', () => {
      expect(Number(reserved('HealthProbeLambdaFunction'))).toBe(stage.capacity.probeReservedConcurrency);
    });

    it('reserves capacity.runbookStepReservedConcurrency for every runbook step', () => {
      const steps = functions.filter(([id]) => id.startsWith('Runbook'));
      expect(steps.length).toBe(9);
      for (const [id] of steps)
        expect({ id, reserved: Number(reserved(id)) }).toEqual({ id, reserved: stage.capacity.runbookStepReservedConcurrency });
    });

    it('leaves the property out for a setting of 0 (never a reservation of 0, which stops the function)', () => {
      const value = propertiesOf(template, 'HealthProbeLambdaFunction').ReservedConcurrentExecutions;
      expect(value['Fn::If'][2]).toEqual({ Ref: 'AWS::NoValue' });
      expect(template.Conditions?.[value['Fn::If'][0]]).toEqual({
        'Fn::Equals': [String(stage.capacity.probeReservedConcurrency > 0), 'true'],
      });
      for (const [id] of functions) expect({ id, zero: reserved(id) === 0 || reserved(id) === '0' }).toEqual({ id, zero: false });
    });
  });

  describe('runbook state machines', () => {
    const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');

    it('are three, each logging every step with its data to its own log group, and traced', () => {
      expect(machines.map(([id]) => id).sort()).toEqual(['FailbackStateMachine', 'FailoverStateMachine', 'FenceStateMachine']);
      for (const [id, machine] of machines) {
        const p = machine.Properties as any;
        expect(p.TracingConfiguration).toEqual({ Enabled: true });
        expect(p.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
        const group = p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
        expect(group).toBe(`${id}LogGroup`);
        expect(propertiesOf(template, group)).toMatchObject({ RetentionInDays: expect.any(Number) });
        const role = p.RoleArn['Fn::GetAtt'][0];
        const actions = roleStatements(template, role).flatMap(actionsOf);
        expect(actions).toEqual(expect.arrayContaining(['logs:CreateLogDelivery', 'xray:PutTraceSegments']));
      }
    });

    it('bound the best-effort fence as packaged: one try, 5 s', () => {
      const definition = JSON.parse(propertiesOf(template, 'FailoverStateMachine').DefinitionString['Fn::Sub'][0]);
      expect(definition.States.FencePrimaryBestEffort).toMatchObject({ TimeoutSeconds: 5 });
      expect(definition.States.FencePrimaryBestEffort.Retry).toBeUndefined();
    });
  });

  describe('notifications', () => {
    const topic = propertiesOf(template, 'NotificationsTopic');
    const keyId = topic.KmsMasterKeyId?.['Fn::GetAtt']?.[0] as string;

    it('are encrypted with a customer-managed key of the stack (not alias/aws/sns), rotated', () => {
      expect(template.Resources[keyId]?.Type).toBe('AWS::KMS::Key');
      expect(propertiesOf(template, keyId).EnableKeyRotation).toBe(true);
    });

    it("let this stack's CloudWatch alarms publish: the key policy allows them, and every alarm is named under the prefix", () => {
      const statements = propertiesOf(template, keyId).KeyPolicy.Statement as Statement[];
      const cloudwatch = statements.find((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }));
      expect(cloudwatch).toMatchObject({ Effect: 'Allow' });
      expect(actionsOf(cloudwatch as Statement).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(JSON.stringify(cloudwatch?.Condition)).toContain(`:alarm:${ALARM_PREFIX}*`);
      const alarms = [
        ...resourcesOfType(template, 'AWS::CloudWatch::Alarm'),
        ...resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm'),
      ];
      for (const [id, alarm] of alarms) {
        const p = alarm.Properties as any;
        if (!JSON.stringify([p.AlarmActions, p.OKActions]).includes('NotificationsTopic')) continue;
        expect({ id, name: p.AlarmName }).toEqual({ id, name: expect.stringMatching(new RegExp(`^${ALARM_PREFIX}`)) });
      }
    });

    it('let the functions that publish use the key', () => {
      for (const [id] of functions) {
        const statements = roleStatements(template, roleOf(template, id));
        if (!statements.some((s) => actionsOf(s).includes('sns:Publish'))) continue;
        const kms = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] }));
        expect({ id, actions: kms.flatMap(actionsOf).sort() }).toEqual({ id, actions: ['kms:Decrypt', 'kms:GenerateDataKey'] });
      }
    });
  });

  describe('the alarm -> failover rule', () => {
    const rule = resourcesOfType(template, 'AWS::Events::Rule')
      .map(([, r]) => r.Properties as any)
      .find((r) => r.EventPattern?.source?.includes('aws.cloudwatch'));
    const [target] = rule.Targets;

    it('gives up after the stage maximum alarm age, not EventBridge’s 24 h', () => {
      expect(target.RetryPolicy).toEqual({
        MaximumEventAgeInSeconds: stage.thresholds.autoFailoverMaxAlarmAgeSeconds,
        MaximumRetryAttempts: expect.any(Number),
      });
    });

    it('sends what it could not deliver to a dead-letter queue EventBridge may write to, which alarms', () => {
      const queueId = target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
      const queue = propertiesOf(template, queueId);
      expect(template.Resources[queueId]?.Type).toBe('AWS::SQS::Queue');
      expect(queue.SqsManagedSseEnabled).toBe(true);
      const policy = resourcesOfType(template, 'AWS::SQS::QueuePolicy').find(
        ([, p]) => JSON.stringify((p.Properties as any).Queues) === JSON.stringify([{ Ref: queueId }]),
      );
      const allow = ((policy![1].Properties as any).PolicyDocument.Statement as Statement[]).find((s) => s.Effect === 'Allow');
      expect(allow).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' });
      expect(JSON.stringify(allow?.Condition)).toContain(`:rule/${rule.Name}`);
      const alarm = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
        .map(([, a]) => a.Properties as any)
        .find((a) => a.Namespace === 'AWS/SQS');
      expect(alarm).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: queue.QueueName }],
        Threshold: 0,
        AlarmActions: [{ Ref: 'NotificationsTopic' }],
      });
    });
  });

  describe('the deployment bucket', () => {
    const bucket = propertiesOf(template, 'ServerlessDeploymentBucket');

    it('blocks public access, is versioned and encrypted, and expires old artifact versions', () => {
      expect(bucket.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.BucketEncryption).toBeDefined();
      expect(bucket.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) } }),
      );
    });
  });

  describe('the kill switch parameter', () => {
    // CloudFormation writes a parameter's Value only when the resource's properties change in the
    // template: a change here resets a hand-set "enabled" to "disabled" on the next deploy. This
    // pins them, so such a change is a deliberate one (README, "Deploying to AWS").
    it('is created disabled, and its definition is pinned', () => {
      expect(propertiesOf(template, 'AutoFailoverParameter')).toEqual({
        Name: '/switchyard/dev/auto-failover',
        Type: 'String',
        Value: 'disabled',
        AllowedPattern: '^(enabled|disabled)$',
        Description: 'Automatic failover kill switch (enabled | disabled)',
      });
    });
  });
});
