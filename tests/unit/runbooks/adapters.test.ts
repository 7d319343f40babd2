import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { interpretHealthRecord } from '../../../services/runbooks/adapters/dynamo-runbook-records';
import { SnsNotifier } from '../../../services/runbooks/adapters/sns-notifier';
import { SsmRunbookParameters } from '../../../services/runbooks/adapters/ssm-runbook-parameters';

const names = { autoFailover: '/switchyard/dev/auto-failover', maxReplicationLagSeconds: '/switchyard/dev/max-replication-lag-seconds' };

describe('SsmRunbookParameters', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());

  it('reads the kill switch fresh on every call, normalised', async () => {
    // Prepare
    ssm
      .on(GetParameterCommand, { Name: names.autoFailover })
      .resolvesOnce({ Parameter: { Value: ' Enabled ' } })
      .resolvesOnce({ Parameter: { Value: 'disabled' } });
    const parameters = new SsmRunbookParameters(new SSMClient({ region: 'us-east-1' }), names);
    // Act
    const first = await parameters.autoFailover();
    const second = await parameters.autoFailover();
    // Assess
    expect([first, second]).toEqual(['enabled', 'disabled']);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('treats a missing or unreadable parameter as missing, and reports only the unexpected failure', async () => {
    const errors: string[] = [];
    ssm.on(GetParameterCommand, { Name: names.autoFailover }).rejects(new ParameterNotFound({ message: 'nope', $metadata: {} }));
    ssm
      .on(GetParameterCommand, { Name: names.maxReplicationLagSeconds })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const parameters = new SsmRunbookParameters(new SSMClient({ region: 'us-east-1' }), names, (name) => errors.push(name));

    expect(await parameters.autoFailover()).toBeNull();
    expect(await parameters.maxReplicationLagSeconds()).toBeNull();
    expect(errors).toEqual([names.maxReplicationLagSeconds]);
  });

  it.each([
    ['2.5', 2.5],
    ['0', null],
    ['soon', null],
  ])('reads the lag threshold %p as %p', async (value, expected) => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: value } });
    expect(await new SsmRunbookParameters(new SSMClient({ region: 'us-east-1' }), names).maxReplicationLagSeconds()).toBe(expected);
  });
});

describe('SnsNotifier', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());

  it('publishes the transition to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: '1' });
    const notifier = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:1:topic');

    const sent = await notifier.publish('x'.repeat(150), { to: 'fenced' });

    expect(sent).toBe(true);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe('arn:aws:sns:us-east-1:1:topic');
    expect(input?.Subject).toHaveLength(99);
    expect(JSON.parse(input?.Message ?? '{}')).toEqual({ to: 'fenced' });
  });

  it('never fails the runbook: a failed publish, or no topic, is reported as not sent', async () => {
    sns.on(PublishCommand).rejects(new Error('throttled'));
    const failures: unknown[] = [];
    expect(await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:t', (e) => failures.push(e)).publish('s', {})).toBe(false);
    expect(failures).toHaveLength(1);
    expect(await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), null).publish('s', {})).toBe(false);
  });
});

describe('interpretHealthRecord', () => {
  const now = new Date('2030-01-01T12:00:00.000Z');

  it('reads a fresh probe record', () => {
    expect(
      interpretHealthRecord(
        { status: 'healthy', checkedAt: '2030-01-01T11:59:50.000Z', healthySince: '2030-01-01T10:00:00.000Z' },
        now,
        300,
      ),
    ).toMatchObject({
      status: 'healthy',
      healthySince: '2030-01-01T10:00:00.000Z',
    });
    expect(
      interpretHealthRecord({ status: 'unhealthy', checkedAt: '2030-01-01T11:59:50.000Z', detail: 'api 503' }, now, 300),
    ).toMatchObject({
      status: 'unhealthy',
      detail: expect.stringContaining('api 503'),
    });
  });

  it.each([
    ['no record', undefined, /no probe record/],
    ['a stale record', { status: 'healthy', checkedAt: '2030-01-01T11:00:00.000Z' }, /3600 s old/],
    ['a record without checkedAt', { status: 'healthy' }, /without checkedAt/],
    ['an unknown status', { status: 'meh', checkedAt: '2030-01-01T11:59:59.000Z' }, /meh/],
  ])('says "unknown" for %s', (_case, item, detail) => {
    const health = interpretHealthRecord(item, now, 300);
    expect(health.status).toBe('unknown');
    expect(health.detail).toMatch(detail);
  });
});
