/** Who did something, on which platform (a deployment's requester, a batch's, a decision's). */
export interface Actor {
  /** `web`: the dashboard (a signed-in browser). */
  platform: 'discord' | 'slack' | 'shell' | 'api' | 'web' | 'system';
  id: string;
  name: string;
}
