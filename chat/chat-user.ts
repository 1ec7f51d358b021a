export type PlatformName = 'discord' | 'slack' | 'shell';

/** A person on a platform. `id` is the platform's stable user id; `name` is for display only. */
export interface ChatUser {
  id: string;
  name: string;
}
