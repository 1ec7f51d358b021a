import type { EntityManager } from '@mikro-orm/postgresql';
import { type AppError, ConflictError, ForbiddenError } from '../errors.js';
import { Decision } from './decision.entity.js';
import { type Actor, Deployment } from './deployment.entity.js';
import { DeploymentEvent } from './deployment-event.entity.js';
import { DeploymentRepository } from './deployment-repository.js';
import { type DeploymentState, TRANSITIONS } from './lifecycle.js';

export interface Permission {
  /** Whether the actor holds an approver role on their platform (checked by the caller, fail closed). */
  approver: boolean;
}

export interface DecisionInput {
  id: number;
  verdict: Decision['verdict'];
  actor: Actor;
  permission: Permission;
  reason?: string;
}

/** What a decision needs besides its input: plain values, no callbacks into the service. */
export interface DecideContext {
  /** The root EntityManager; each step forks its own, so a re-read sees what the database holds now. */
  em: EntityManager;
  now: Date;
  allowSelfApproval: boolean;
}

/**
 * Who may decide, as a rule on its own: approvers approve (not their own request unless
 * `allowSelfApproval`); the requester or an approver rejects and cancels. The refusal, or null.
 */
export function refusalOf(
  requestedBy: Actor,
  { id, verdict, actor, permission }: DecisionInput,
  allowSelfApproval: boolean,
  /** What is decided, for the messages; a batch passes `batch #7`. */
  subject = `deployment #${id}`,
): AppError | null {
  const isRequester = requestedBy.platform === actor.platform && requestedBy.id === actor.id;
  if (verdict === 'approve' && !permission.approver)
    return new ForbiddenError('deploy:not-approver', `${actor.name} is not an approver for ${subject}`);
  if (verdict === 'approve' && isRequester && !allowSelfApproval)
    return new ForbiddenError(
      'deploy:self-approval',
      `${actor.name} requested ${subject} and cannot approve it too`,
    );
  if (verdict !== 'approve' && !permission.approver && !isRequester)
    return new ForbiddenError(
      'deploy:not-approver',
      `only the requester or an approver may ${verdict} ${subject}`,
    );
  return null;
}

/**
 * Approve, reject or cancel: checks {@link refusalOf}, then one compare-and-set with the decision and
 * its event in one transaction. Every refusal is recorded as a decision too, then thrown. Answers the
 * state the deployment moved to.
 */
export async function decideDeployment(ctx: DecideContext, input: DecisionInput): Promise<DeploymentState> {
  const { id, verdict, actor, reason } = input;
  const to = verdictState(verdict);
  const repository = () => new DeploymentRepository(ctx.em.fork());
  const current = await repository().get(id);
  const refuse = async (error: AppError): Promise<never> => {
    const em = ctx.em.fork();
    em.create(Decision, {
      deploymentId: id,
      verdict,
      accepted: false,
      reason: error.message,
      ...actorFields(actor),
      decidedAt: ctx.now,
    });
    await em.flush();
    throw error;
  };
  const refusal = refusalOf(current.requestedBy, input, ctx.allowSelfApproval);
  if (refusal) await refuse(refusal);
  const now = ctx.now;
  const em = ctx.em.fork();
  const changed = await em.transactional(async (tem) => {
    const n = await tem.nativeUpdate(
      Deployment,
      { id, status: { $in: [...TRANSITIONS[to as 'approved']] } },
      decisionPatch(to, now, actor, reason),
    );
    if (!n) return false;
    tem.create(Decision, {
      deploymentId: id,
      verdict,
      accepted: true,
      reason: reason ?? null,
      ...actorFields(actor),
      decidedAt: now,
    });
    tem.create(DeploymentEvent, {
      deploymentId: id,
      stage: to,
      message: `${to} by ${actor.name}${reason ? `: ${reason}` : ''}`,
      source: actor.platform,
      state: to,
      progress: null,
      receivedAt: now,
      postedAt: null,
    });
    return true;
  });
  if (!changed) {
    const latest = await repository().get(id);
    const by = await repository().decidedBy(id);
    const who = by ? ` by ${by.actorName}` : '';
    await refuse(
      new ConflictError(
        'deploy:already-decided',
        `deployment #${id} was already ${latest.status.replace('_', ' ')}${latest.status === 'pending_approval' ? '' : who}`,
        {
          status: latest.status,
        },
      ),
    );
  }
  return to;
}

/** The state a verdict moves a deployment to. */
export function verdictState(verdict: Decision['verdict']): 'approved' | 'rejected' | 'cancelled' {
  return verdict === 'approve' ? 'approved' : verdict === 'reject' ? 'rejected' : 'cancelled';
}

/** The columns an accepted decision sets on each deployment it moves (one, or a batch's). */
export function decisionPatch(
  to: 'approved' | 'rejected' | 'cancelled',
  now: Date,
  actor: Actor,
  reason?: string,
): Partial<Deployment> {
  const patch: Partial<Deployment> = { status: to, updatedAt: now, lastEventAt: now, stage: to };
  if (to === 'approved') patch.approvedAt = now;
  else patch.finishedAt = now;
  if (to === 'cancelled') patch.failureReason = reason ?? `cancelled by ${actor.name}`;
  return patch;
}

/** The audit row of a refused attempt on a batch (one row, no deployment). */
export function refusedBatchDecision(
  batchId: number,
  verdict: Decision['verdict'],
  actor: Actor,
  error: AppError,
  at: Date,
) {
  return {
    deploymentId: null,
    batchId,
    verdict,
    accepted: false,
    reason: error.message,
    ...actorFields(actor),
    decidedAt: at,
  };
}

export function actorFields(actor: Actor) {
  return { actorPlatform: actor.platform, actorId: actor.id, actorName: actor.name };
}
