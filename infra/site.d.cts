import type { StageConfig } from './stage-config.cjs';

export type Intrinsic = Record<string, unknown>;
export interface PrimarySite {
  contentSecurityPolicy: { 'Fn::Sub': string };
  secondaryApiUrl: string;
  callbackUrls: Intrinsic[];
  logoutUrls: Intrinsic[];
  distributionArn: Intrinsic;
}
export interface SecondarySite {
  distributionId: string;
  distributionArn: Intrinsic;
  callbackUrls: Intrinsic;
  logoutUrls: Intrinsic;
}
/** What the primary's SiteSecondaryApiUrl output says after a bootstrap deploy. */
export declare const NOT_YET: string;
/** CloudFront's managed CachingDisabled cache policy id. */
export declare const CACHING_DISABLED: string;
export declare function siteSettings(
  config: StageConfig,
  stage: string,
  service: string,
  region: string,
  params: Record<string, string | null | undefined>,
): PrimarySite | SecondarySite;
