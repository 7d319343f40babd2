import { ReplicationGateTimeout, RunbookStepFailed, TransientDependencyError } from '../../../services/runbooks/errors';
import type { ReportStep } from '../../../services/runbooks/model';
import { executeStep, isTransient, toStepError } from '../../../services/runbooks/steps/run-step';

const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} at arn:aws:dynamodb:...:table/secret`), { name, ...extra });

describe('toStepError', () => {
  it('passes named runbook errors through', () => {
    const error = new ReplicationGateTimeout('late');
    expect(toStepError('Gate', error)).toBe(error);
  });

  it.each([
    ['throttling', sdkError('ThrottlingException')],
    ['a 5xx', sdkError('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
    ['a refused connection', sdkError('Error', { code: 'ECONNREFUSED' })],
    ['an SDK-retryable error', sdkError('Whatever', { $retryable: {} })],
  ])('turns %s into a retryable TransientDependencyError', (_case, error) => {
    expect(isTransient(error)).toBe(true);
    expect(toStepError('Fence', error)).toBeInstanceOf(TransientDependencyError);
  });

  it('reports anything else without its internals', () => {
    const named = toStepError('Promote', sdkError('ValidationException', { $metadata: { httpStatusCode: 400 } }));
    expect(named).toBeInstanceOf(RunbookStepFailed);
    expect(named.message).toBe("Promote failed unexpectedly (ValidationException); see the function's logs.");
  });
});

describe('executeStep', () => {
  const run = { run: { executionName: 'run-1' } } as Parameters<typeof executeStep>[1];
  const clock = () => new Date('2030-01-01T00:00:00.000Z');

  it('adds a line to the report, except for unrecorded steps', async () => {
    // Prepare
    const lines: ReportStep[] = [];
    const reports = { appendStep: async (_name: string, step: ReportStep) => void lines.push(step) } as Parameters<
      typeof executeStep
    >[0]['reports'];
    // Act
    const result = await executeStep({ reports, clock }, run, 'Fence', async () => ({ result: 42, outcome: 'fenced', detail: 'v2' }));
    await executeStep({ reports, clock }, run, 'CheckReplication', async () => ({
      result: 0,
      outcome: 'waiting',
      detail: '',
      record: false,
    }));
    // Assess
    expect(result).toBe(42);
    expect(lines).toEqual([{ step: 'Fence', at: '2030-01-01T00:00:00.000Z', durationMs: 0, outcome: 'fenced', detail: 'v2' }]);
  });

  it('records the failure under its error name, logs the original, and throws the named error', async () => {
    const lines: ReportStep[] = [];
    const logged: unknown[] = [];
    const reports = { appendStep: async (_name: string, step: ReportStep) => void lines.push(step) } as Parameters<
      typeof executeStep
    >[0]['reports'];
    const original = sdkError('ThrottlingException');

    const attempt = executeStep({ reports, clock, onUnexpectedError: (_s, e) => logged.push(e) }, run, 'Fence', async () => {
      throw original;
    });

    await expect(attempt).rejects.toBeInstanceOf(TransientDependencyError);
    expect(lines[0]).toMatchObject({ step: 'Fence', outcome: 'TransientDependencyError' });
    expect(logged).toEqual([original]);
  });
});
