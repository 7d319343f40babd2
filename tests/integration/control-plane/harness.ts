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

export const ACCOUNT = '000000000000';
export const stateMachineArn = (region: string, name: string) => `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${name}`;
export const functionArn = (region: string, name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
