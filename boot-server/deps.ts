import type { Registry } from 'prom-client';
import type { Core } from '../core/create-core.js';
import type { BootServerMetrics } from '../core/metrics.js';
import type { FileBody } from './file-body.js';
import type { ArtifactCheck } from './ipxe/artifact-check.js';
import type { RetryPolicy } from './ipxe/scripts.js';

/** What route modules are built from. */
export interface BootServerDeps {
  core: Core;
  registry: Registry;
  metrics: BootServerMetrics;
  retry: RetryPolicy;
  /** Seconds the waiting script sleeps between polls. */
  pollSeconds: number;
  /** Which local artifacts (under ARTIFACTS_DIR) are missing: the preflight of install scripts. */
  artifacts: ArtifactCheck;
  /** Install-script serves without the installer reporting before a deployment fails as a boot loop. */
  bootLoopLimit: number;
  /** Writes `/files/` bodies: through the sendfile addon where it is loaded. */
  fileBody: FileBody;
  /** Resolves true when Redis answers a PING. */
  pingRedis: () => Promise<boolean>;
}
