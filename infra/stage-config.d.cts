export interface StageConfig {
  appId: string;
  primaryRegion: string;
  secondaryRegion: string;
  thresholds: Record<string, number>;
  quorum: {
    witnessRegion: string;
    writeLeaseMillis: number;
    clockSkewMarginMillis: number;
    stateWriteTimeoutMillis: number;
    lockLeaseSeconds: number;
    heartbeatStaleSeconds: number;
  };
  notifications: { emails: string[] };
  photos: { maxBytes: number };
}
export declare class StageConfigError extends Error {}
export declare function loadStageConfig(stage: string): StageConfig;
export declare function checkQuorum(config: Pick<StageConfig, 'primaryRegion' | 'secondaryRegion' | 'quorum'>, file: string): void;
export declare const MRSC_REGION_SETS: Record<string, string[]>;
export declare function regionRole(config: StageConfig, region: string): 'primary' | 'secondary';
