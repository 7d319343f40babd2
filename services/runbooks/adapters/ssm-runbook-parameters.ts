// The two SSM parameters runbooks read, fresh on every call: a kill switch must take effect at
// once, so nothing is cached. Unreadable counts as missing, and callers fail safe on missing
// (kill switch: disabled; lag threshold: the stage default).
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { RunbookParameters } from '../steps/ports';

export class SsmRunbookParameters implements RunbookParameters {
  constructor(
    private readonly client: SSMClient,
    private readonly names: { autoFailover: string; maxReplicationLagSeconds: string },
    private readonly onError: (parameter: string, error: unknown) => void = () => undefined,
  ) {}

  private async read(name: string): Promise<string | null> {
    try {
      const { Parameter } = await this.client.send(new GetParameterCommand({ Name: name }));
      return Parameter?.Value ?? null;
    } catch (error) {
      if ((error as Error).name !== 'ParameterNotFound') this.onError(name, error);
      return null;
    }
  }

  async autoFailover(): Promise<string | null> {
    const value = await this.read(this.names.autoFailover);
    return value === null ? null : value.trim().toLowerCase();
  }

  async maxReplicationLagSeconds(): Promise<number | null> {
    const value = await this.read(this.names.maxReplicationLagSeconds);
    const seconds = value === null ? Number.NaN : Number(value);
    return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
  }
}
