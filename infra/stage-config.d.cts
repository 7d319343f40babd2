export interface StageConfig {
  appId: string;
  primaryRegion: string;
  secondaryRegion: string;
  thresholds: Record<string, number>;
  notifications: { emails: string[] };
  photos: { maxBytes: number };
  capacity: {
    probeReservedConcurrency: number;
    runbookStepReservedConcurrency: number;
    apiThrottlingRateLimit: number;
    apiThrottlingBurstLimit: number;
  };
}
export declare class StageConfigError extends Error {}
export declare function loadStageConfig(stage: string): StageConfig;
export declare function regionRole(config: StageConfig, region: string): 'primary' | 'secondary';
