import { defineArea, int } from '../env-rules.js';

/** Notifications: when a message is news, and how long notices are kept. */
export const notifications = defineArea({
  vars: {
    NOTIFICATION_READ_RETENTION_DAYS: int(90, 1, 3650),
    NOTIFICATION_RETENTION_DAYS: int(365, 1, 3650),
    NOTIFICATION_MESSAGE_GRACE_MS: int(60_000, 0, 3_600_000),
  },
  check: (e) =>
    e.NOTIFICATION_READ_RETENTION_DAYS > e.NOTIFICATION_RETENTION_DAYS
      ? ['NOTIFICATION_READ_RETENTION_DAYS: longer than NOTIFICATION_RETENTION_DAYS, which removes every notice']
      : [],
  settings: (e) => ({
    notifications: {
      // Read notices go after this; unread ones (and the "told once" marks) after the longer one.
      readRetentionMs: e.NOTIFICATION_READ_RETENTION_DAYS * 86_400_000,
      retentionMs: e.NOTIFICATION_RETENTION_DAYS * 86_400_000,
      // A message is told to someone still offline and unread this long after it came.
      messageGraceMs: e.NOTIFICATION_MESSAGE_GRACE_MS,
    },
  }),
});
