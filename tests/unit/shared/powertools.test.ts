import { lambdaEntry, logger, tracer } from '../../../shared/powertools';
import { lambdaContext } from './http-event';

describe('Powertools frame of the entry points that are not HTTP', () => {
  afterEach(() => jest.restoreAllMocks());

  it('has tracing off outside a Lambda execution environment (the local runtime, the tests), so it needs no X-Ray daemon', () => {
    // Assess: the local runtime and jest set no AWS_EXECUTION_ENV.
    expect(process.env.AWS_EXECUTION_ENV).toBeUndefined();
    expect(tracer.isTracingEnabled()).toBe(false);
  });

  it('returns the handler result and puts the Lambda context in the log keys', async () => {
    // Prepare
    const entry = lambdaEntry(async (event: { n: number }) => ({ doubled: event.n * 2 }));
    const context = lambdaContext();
    const addContext = jest.spyOn(logger, 'addContext');
    const stderr = jest.spyOn(process.stderr, 'write');
    const consoleError = jest.spyOn(console, 'error');

    // Act
    const result = await entry({ n: 21 }, context);

    // Assess
    expect(result).toEqual({ doubled: 42 });
    expect(addContext).toHaveBeenCalledWith(context);
    expect(stderr).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('lets a named error through unchanged (a state machine matches on error.name)', async () => {
    // Prepare
    class LockHeld extends Error {
      override readonly name = 'LockHeld';
    }
    const error = new LockHeld('held by another run');
    const entry = lambdaEntry(async () => {
      throw error;
    });

    // Act
    const attempt = entry({}, lambdaContext());

    // Assess
    await expect(attempt).rejects.toBe(error);
  });
});
