import { type CfnTemplate, packagedTemplate, resourcesOfType, stage } from '../support/templates';

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown };

function allowStatements(template: CfnTemplate, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  const policies = ((role?.Properties as { Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }> })?.Policies ?? []).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  return policies.filter((s) => s.Effect === 'Allow');
}

describe.each([
  ['primary', stage.primaryRegion],
  ['secondary', stage.secondaryRegion],
])('functions in the %s template', (_role, region) => {
  const template = packagedTemplate(region);
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  const roleOf = (fn: (typeof functions)[number][1]) => ((fn.Properties as any).Role['Fn::GetAtt'] as string[])[0] as string;

  it('run on nodejs22.x', () => {
    expect(functions.length).toBeGreaterThan(0);
    for (const [, fn] of functions) expect((fn.Properties as any).Runtime).toBe('nodejs22.x');
  });

  it('each have their own IAM role', () => {
    const roles = functions.map(([, fn]) => roleOf(fn));
    expect(new Set(roles).size).toBe(functions.length);
    expect(roles).not.toContain('IamRoleLambdaExecution');
  });

  it('can send traces when tracing is active (Lambda refuses to create a traced function whose role cannot)', () => {
    const traced = functions.filter(([, fn]) => (fn.Properties as any).TracingConfig?.Mode === 'Active');
    expect(traced.length).toBe(functions.length);
    for (const [id, fn] of traced) {
      const actions = allowStatements(template, roleOf(fn)).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect({ id, actions }).toEqual({ id, actions: expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']) });
    }
  });

  it('are granted no wildcard action', () => {
    for (const [, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      const policies = ((role.Properties as any).Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>;
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Effect === 'Allow')) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        for (const action of actions) expect(action).not.toMatch(/(^\*$|:\*$)/);
      }
    }
  });

  it('may only read the app state through the state API', () => {
    const getState = functions.find(([id]) => id === 'GetStateLambdaFunction');
    expect(getState).toBeDefined();
    const actions = allowStatements(template, roleOf(getState![1]))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => a.startsWith('dynamodb:'));
    expect(actions).toEqual(['dynamodb:GetItem']);
  });

  // The write gate records each lease renewal's start in the quorum (shared/app-state/lease-record.ts):
  // the data writers may write there, but only their lease records, never the state or the lock.
  it('that write through the write gate may write only lease records in the quorum table', () => {
    const onQuorum = (s: Statement) => /table\/switchyard-dev-quorum"/.test(JSON.stringify(s.Resource));
    const writers = functions.filter(([id]) =>
      /^(CreatePhoto|CompletePhotoUpload|DeletePhoto|AddComment|DeleteComment)LambdaFunction$/.test(id),
    );
    expect(writers).toHaveLength(5);
    for (const [id, fn] of writers) {
      const quorumWrites = allowStatements(template, roleOf(fn))
        .filter(onQuorum)
        .filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a !== 'dynamodb:GetItem'));
      expect({ id, quorumWrites }).toEqual({
        id,
        quorumWrites: [
          expect.objectContaining({
            Action: ['dynamodb:UpdateItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LEASE#*'] } },
          }),
        ],
      });
    }
  });

  // The background verification's window ends WRITER_TIMEOUT_SECONDS (+ the skew margin) before
  // now: a journalled write commits within its writer's invocation
  // (services/runbooks/decisions/background-verification.ts). The reconciliation stamps each of
  // its writes just before sending it, so its own (long) timeout does not count.
  it('that write the data tables run no longer than the background verification assumes', () => {
    const verifier = functions.find(([id]) => id === 'VerifyReplicationLambdaFunction');
    type FunctionProps = { Timeout?: number; Environment?: { Variables?: Record<string, string> } };
    const propsOf = (fn: (typeof functions)[number][1]) => fn.Properties as FunctionProps;
    const writerTimeout = Number(verifier && propsOf(verifier[1]).Environment?.Variables?.WRITER_TIMEOUT_SECONDS);
    expect(writerTimeout).toBeGreaterThan(0);
    const writesData = (s: Statement) =>
      (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem)$/.test(a)) &&
      /table\/switchyard-dev-(photos|comments)"/.test(JSON.stringify(s.Resource));
    const writers = functions.filter(
      ([id, fn]) => id !== 'RunbookReconcileLambdaFunction' && allowStatements(template, roleOf(fn)).some(writesData),
    );
    expect(writers.map(([id]) => id)).toEqual(expect.arrayContaining(['CreatePhotoLambdaFunction', 'AddCommentLambdaFunction']));
    for (const [id, fn] of writers) {
      const timeout = propsOf(fn).Timeout;
      expect({ id, timeout }).toEqual({ id, timeout: expect.any(Number) });
      expect({ id, within: (timeout as number) <= writerTimeout }).toEqual({ id, within: true });
    }
  });

  it('let the background verification read, never write, the data tables', () => {
    const verifier = functions.find(([id]) => id === 'VerifyReplicationLambdaFunction');
    expect(verifier).toBeDefined();
    const actions = allowStatements(template, roleOf(verifier![1]))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => a.startsWith('dynamodb:'))
      .sort();
    expect(actions).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  // The gate's proof heads each journalled photo object; a removed one must answer 404, not 403.
  it('that prove photo objects may list the bucket, so that a missing object is told from a refused one', () => {
    for (const id of ['RunbookCheckReplicationLambdaFunction', 'VerifyReplicationLambdaFunction']) {
      const fn = functions.find(([fnId]) => fnId === id);
      expect(fn).toBeDefined();
      const actions = allowStatements(template, roleOf(fn![1])).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect({ id, actions }).toEqual({ id, actions: expect.arrayContaining(['s3:GetObject', 's3:ListBucket']) });
    }
  });
});
