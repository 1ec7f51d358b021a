import { sha512Crypt } from '../render/sha512crypt.js';
import { newTokenNonce, type SecretBox } from '../secrets/secret-box.js';
import type { ValidDeployRequest } from './deploy-request.js';
import type { Actor, Deployment } from './deployment.entity.js';
import type { DeploymentSecrets } from './deployment-secrets.js';
import { generatePassword } from './passwords.js';

const MINUTE = 60_000;

/**
 * The row of a new pending deployment, with its sealed secrets and the generated password (to show once).
 * `fixedPassword` replaces the generated one (WINDOWS_ADMIN_PASSWORD for Windows images).
 */
export function newDeploymentRow(
  valid: ValidDeployRequest,
  actor: Actor,
  now: Date,
  settings: { secretBox: SecretBox; approvalTimeoutMinutes: number },
  fixedPassword?: string,
): { row: Omit<Deployment, 'id'>; password: string } {
  const password = fixedPassword ?? generatePassword();
  return {
    password,
    row: {
      ...valid,
      status: 'pending_approval',
      requestedBy: actor,
      tokenNonce: newTokenNonce(),
      secrets: settings.secretBox.encrypt(
        JSON.stringify({ password, passwordHash: sha512Crypt(password) } satisfies DeploymentSecrets),
      ),
      expiresAt: new Date(now.getTime() + settings.approvalTimeoutMinutes * MINUTE),
      createdAt: now,
      updatedAt: now,
      lastEventAt: now,
      resolvedProfile: null,
      stage: 'requested',
      progress: null,
      failureReason: null,
      boot: null,
      templates: null,
      approvedAt: null,
      bootingAt: null,
      installingAt: null,
      configuringAt: null,
      finishedAt: null,
      installServes: 0,
      bootReport: null,
      secureBoot: valid.secureBoot ?? null,
    },
  };
}
