import { refusalReason } from './error-response';

/** The slice of a Powertools Metrics instance used here (shared/powertools.ts provides the real one). */
export interface MetricsPort {
  singleMetric(): {
    addDimension(name: string, value: string): unknown;
    addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  };
}

/**
 * Counts a write as accepted or refused (by reason) and records its latency, each as a single
 * EMF metric with its own dimensions, so they are published even when the handler throws.
 */
export async function measureWrite<T>(
  metrics: MetricsPort,
  operation: string,
  write: () => Promise<T>,
  now: () => number = Date.now,
): Promise<T> {
  const started = now();
  try {
    const result = await write();
    emit(metrics, 'WriteAccepted', 'Count', 1, { operation });
    return result;
  } catch (error) {
    emit(metrics, 'WriteRefused', 'Count', 1, { operation, reason: refusalReason(error) });
    throw error;
  } finally {
    emit(metrics, 'WriteLatency', 'Milliseconds', now() - started, { operation });
  }
}

function emit(metrics: MetricsPort, name: string, unit: 'Count' | 'Milliseconds', value: number, dimensions: Record<string, string>): void {
  const single = metrics.singleMetric();
  for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
  single.addMetric(name, unit, value);
}
