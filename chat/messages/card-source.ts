import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentService } from '../../core/deployments/deployment-service.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import type { ChatPlatform } from '../chat-platform.js';
import { buildCard, type CardModel } from './card.js';

/** The catalog entry of a deployment's OS, or a stand-in when it was deleted since. */
export async function imageOf(
  deployments: DeploymentService,
  os: string,
): Promise<Pick<OsImage, 'name' | 'family' | 'editions'>> {
  const image = await deployments
    .images()
    .get(os)
    .catch(() => null);
  return image ?? { name: os, family: /^(ws|win)/.test(os) ? 'windows' : 'linux', editions: null };
}

/** Reads what a card shows (catalog name, accepted decision) and builds it. */
export async function cardFor(
  deployments: DeploymentService,
  d: Deployment,
  platform?: Pick<ChatPlatform, 'approvalHint'>,
): Promise<CardModel> {
  const [image, decision] = await Promise.all([
    imageOf(deployments, d.os),
    deployments.repository().decidedBy(d.id),
  ]);
  return buildCard(d, {
    imageName: image.name,
    editionLabel: d.edition ? (image.editions?.[d.edition]?.label ?? d.edition) : null,
    decision: decision
      ? { verdict: decision.verdict, actorName: decision.actorName, reason: decision.reason }
      : null,
    approvalHint: platform?.approvalHint?.(d.id),
  });
}
