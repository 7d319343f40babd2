import { checkHealth } from '../../../services/state-api/health';

const clock = () => new Date('2026-01-02T03:04:05.000Z');

describe('health', () => {
  it('is ok without calling anything when there are no checks', async () => {
    // Act
    const report = await checkHealth({ region: 'us-west-2', clock });

    // Assess
    expect(report).toEqual({ status: 'ok', region: 'us-west-2', time: '2026-01-02T03:04:05.000Z' });
  });

  it('is unhealthy when a deep check fails, naming the check but not the reason', async () => {
    // Prepare
    const failures: string[] = [];
    const checks = [
      { name: 'app-state-table', run: async () => undefined },
      { name: 'bucket', run: async () => Promise.reject(new Error('AccessDenied for arn:aws:s3:::secret')) },
    ];

    // Act
    const report = await checkHealth({ region: 'us-east-1', clock, checks, onCheckFailed: (name) => failures.push(name) });

    // Assess
    expect(report).toEqual({
      status: 'unhealthy',
      region: 'us-east-1',
      time: '2026-01-02T03:04:05.000Z',
      checks: { 'app-state-table': 'ok', bucket: 'failed' },
    });
    expect(JSON.stringify(report)).not.toContain('secret');
    expect(failures).toEqual(['bucket']);
  });
});
