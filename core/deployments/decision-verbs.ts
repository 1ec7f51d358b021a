import type { Permission } from './decide.js';
import type { Decision } from './decision.entity.js';
import type { Actor } from './deployment.entity.js';

/**
 * Approve, reject and cancel as one rule applied to a subject (a deployment, a batch): the verbs are the
 * same everywhere, only `decide` differs, so a service says what a decision does and inherits the verbs.
 */
export abstract class DecisionVerbs<T> {
  approve(id: number, actor: Actor, permission: Permission): Promise<T> {
    return this.decide(id, 'approve', actor, permission);
  }

  reject(id: number, actor: Actor, permission: Permission, reason?: string): Promise<T> {
    return this.decide(id, 'reject', actor, permission, reason);
  }

  cancel(id: number, actor: Actor, permission: Permission, reason?: string): Promise<T> {
    return this.decide(id, 'cancel', actor, permission, reason);
  }

  protected abstract decide(
    id: number,
    verdict: Decision['verdict'],
    actor: Actor,
    permission: Permission,
    reason?: string,
  ): Promise<T>;
}
