import type { StageConfig } from './stage-config.cjs';

export interface PrimaryUserPool {
  userPoolId: string;
  clientId: string;
  issuerUrl: string;
}
export declare class MissingDeployParameter extends Error {}
export declare function primaryUserPool(
  config: StageConfig,
  stage: string,
  service: string,
  params: Record<string, string | null | undefined>,
): PrimaryUserPool;
