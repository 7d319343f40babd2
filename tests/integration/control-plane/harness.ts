import { type ControlPlane, type ControlPlaneOptions, startControlPlane } from '../../../local/control-plane';

/** What every real SDK client needs to talk to the local control plane for one region. */
export function clientConfig(plane: ControlPlane, region: string) {
  return {
    endpoint: plane.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // One attempt: a retried failure would only hide what the control plane answered.
    maxAttempts: 1,
  };
}

export function startTestControlPlane(options: Partial<ControlPlaneOptions> = {}): Promise<ControlPlane> {
  return startControlPlane({
    invokeFunction: async () => {
      throw new Error('no Lambda is wired in this test');
    },
    stateMachines: [],
    alarms: [],
    rules: [],
    ...options,
  });
}

/**
 * Polls until `read` returns something `done` accepts. The deadline only keeps a broken
 * control plane from hanging the run; tests assert on what was reached, never on time.
 */
export async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const ACCOUNT = '000000000000';
export const stateMachineArn = (region: string, name: string) => `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${name}`;
export const functionArn = (region: string, name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
