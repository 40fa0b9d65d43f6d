/**
 * What a bundled function gets for `semver` (function.ts aliases it here). In a bundle its one
 * importer is aws-xray-sdk-core's AWS SDK v2 patcher (patchers/aws_p.js), which calls `gte` only inside
 * `captureAWS`, to check the v2 SDK's version; the functions use SDK v3 clients, which Powertools
 * Tracer captures with `captureAWSv3Client` (patchers/aws3_p.js), and no semver. The real package is
 * ~29 KB of every bundle. If anything ever does call it, it fails loudly instead of guessing.
 */
export class SemverNotBundled extends Error {
  constructor(name: string) {
    super(
      `semver.${name} was called, but semver is not bundled (infra/cdk/shims/semver.ts): only the AWS SDK v2 patcher uses it`,
    );
    this.name = 'SemverNotBundled';
  }
}

export const gte = (_version: string, _range: string): boolean => {
  throw new SemverNotBundled('gte');
};

export default { gte };
