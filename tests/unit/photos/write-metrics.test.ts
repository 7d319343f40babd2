import { WritesFenced, WrongRegion } from '../../../shared/app-state/errors';
import { Unauthenticated } from '../../../shared/auth/errors';
import { InvalidInput } from '../../../shared/http/input';
import { type MetricsPort, measureWrite } from '../../../shared/http/write-metrics';
import { NotOwner } from '../../../shared/photos/errors';

function fakeMetrics() {
  const emitted: Array<{ name: string; unit: string; value: number; dimensions: Record<string, string> }> = [];
  const port: MetricsPort = {
    singleMetric() {
      const dimensions: Record<string, string> = {};
      return {
        addDimension: (name: string, value: string) => {
          dimensions[name] = value;
        },
        addMetric: (name: string, unit: string, value: number) => {
          emitted.push({ name, unit, value, dimensions: { ...dimensions } });
        },
      };
    },
  };
  return { port, emitted };
}

describe('measureWrite', () => {
  it('counts an accepted write and its latency', async () => {
    // Prepare
    const { port, emitted } = fakeMetrics();
    let now = 1000;

    // Act
    const result = await measureWrite(
      port,
      'addComment',
      async () => {
        now += 42;
        return 'ok';
      },
      () => now,
    );

    // Assess
    expect(result).toBe('ok');
    expect(emitted).toEqual([
      { name: 'WriteAccepted', unit: 'Count', value: 1, dimensions: { operation: 'addComment' } },
      { name: 'WriteLatency', unit: 'Milliseconds', value: 42, dimensions: { operation: 'addComment' } },
    ]);
  });

  it.each([
    ['WRITES_FENCED', new WritesFenced(5)],
    ['WRONG_REGION', new WrongRegion('us-west-2', 'us-east-1')],
    ['VALIDATION', new InvalidInput(['text: must not be empty'])],
    ['AUTH', new Unauthenticated()],
    ['AUTH', new NotOwner('delete-photo')],
    ['ERROR', new Error('boom')],
  ])('counts a refusal by reason %s and still rethrows', async (reason, error) => {
    // Prepare
    const { port, emitted } = fakeMetrics();

    // Act
    const attempt = measureWrite(port, 'createPhoto', async () => {
      throw error;
    });

    // Assess
    await expect(attempt).rejects.toBe(error);
    expect(emitted.map((m) => [m.name, m.dimensions])).toEqual([
      ['WriteRefused', { operation: 'createPhoto', reason }],
      ['WriteLatency', { operation: 'createPhoto' }],
    ]);
  });
});
