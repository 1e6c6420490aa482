import type { NotificationType } from '../../models/notification.model.js';

/** Who did it, as the text names them: the latest one and how many others. */
export interface Actors {
  name: string | null;
  others: number;
}

/** "Gold" for the plan in a notice's data. */
const plan = (d: Record<string, string>) => (d.plan ? d.plan[0]!.toUpperCase() + d.plan.slice(1) : 'paid');

const who = ({ name, others }: Actors) =>
  !name ? 'Someone' : others === 0 ? name : `${name} and ${others} ${others === 1 ? 'other' : 'others'}`;

/**
 * The text of each notice, in one place (English; other languages join here). Values that
 * are not people come from the notice's data.
 */
const TEMPLATES: Record<NotificationType, (a: Actors, data: Record<string, string>) => string> = {
  connection_request: (a) => `${who(a)} wants to connect with you`,
  connection_accepted: (a) => `${who(a)} accepted your connection request`,
  message: (a) => `${who(a)} sent you a message`,
  match_found: () => 'We found you a match: say hello before it expires',
  match_accepted: (a) => `You and ${who(a)} both said yes`,
  missed_call: (a) => `You missed a call from ${who(a)}`,
  mention: (a) => `${who(a)} mentioned you in a comment`,
  comment: (a) => `${who(a)} commented on your post`,
  reply: (a) => `${who(a)} replied to your comment`,
  like: (a) => `${who(a)} liked your post`,
  share: (a) => `${who(a)} shared your post`,
  post_ready: () => 'Your post is ready and visible',
  post_failed: (_a, d) => `Your post could not be published${d.reason ? ` (${d.reason.replaceAll('_', ' ')})` : ''}`,
  membership_granted: (_a, d) => `Your ${plan(d)} membership is active`,
  membership_expiring: (_a, d) => `Your ${plan(d)} membership ends soon`,
  membership_expired: (_a, d) => `Your ${plan(d)} membership has ended`,
  payment_failed: () => 'A payment did not go through',
  moderation: (_a, d) => d.text ?? 'A moderator reviewed your content',
  system: (_a, d) => d.text ?? '',
};

export function notificationText(type: NotificationType, actors: Actors, data: Record<string, string> = {}): string {
  return TEMPLATES[type](actors, data);
}
