export interface StageConfig {
  appId: string;
  primaryRegion: string;
  secondaryRegion: string;
  /** Every key is checked to be a positive number by loadStageConfig. */
  thresholds: {
    maxReplicationLagSeconds: number;
    replicationGateTimeoutSeconds: number;
    replicationGatePollSeconds: number;
    bestEffortFenceTimeoutMillis: number;
    minSecondsBetweenAutoFailovers: number;
    primaryHealthySecondsBeforeFailback: number;
    probeIntervalSeconds: number;
    probeTimeoutMillis: number;
    healthRecordStaleSeconds: number;
    peerDownDatapoints: number;
    peerDownEvaluationPeriods: number;
    replicationLagAlarmSeconds: number;
    autoFailoverMaxAlarmAgeSeconds: number;
    photoReplicationLagAlarmSeconds: number;
  };
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
  capacity: {
    probeReservedConcurrency: number;
    runbookStepReservedConcurrency: number;
    apiThrottlingRateLimit: number;
    apiThrottlingBurstLimit: number;
  };
}
export declare class StageConfigError extends Error {}
export declare function loadStageConfig(stage: string): StageConfig;
export declare function checkQuorum(config: Pick<StageConfig, 'primaryRegion' | 'secondaryRegion' | 'quorum'>, file: string): void;
export declare const MRSC_REGION_SETS: Record<string, string[]>;
export declare function regionRole(config: StageConfig, region: string): 'primary' | 'secondary';
