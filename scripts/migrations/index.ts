import type { Migration } from '../migrate-runner.js';
import { backfillGeoCells, backfillSearchKeys, composeStoredEmails } from '../../services/people/backfill.js';
import { recountAllPostCounters } from '../../services/posts/counters.js';
import { dropIndexIfPresent } from '../../services/database.service.js';
import { resumeDeletionsFromBefore } from '../../services/people/account-deletion.service.js';
import { backfillGroupFloors, backfillReplyNumbers } from '../../services/chat/group-floors.js';
import { timeOldEventTries } from '../../services/payments/webhook-retry.js';
import { recountAllReplies } from '../../services/posts/reply-counts.js';
import { uncountHiddenComments } from '../../services/posts/content-hiding.js';

/**
 * Every migration, in the order they run; each runs once per database (recorded in the
 * `migrations` collection). Append, never reorder or rename: the name is the record.
 * Each `up` is safe to run again (a crash half-way re-runs it whole).
 */
export const migrations: Migration[] = [
  {
    name: '2026-12-03-01-user-search-keys',
    // Users from before name search (or an older prefix rule): their searchNames and searchPrefixes.
    up: backfillSearchKeys,
  },
  {
    name: '2026-12-03-02-user-geo-cells',
    // Users with a location from before "within N km" lookups: their geoCells.
    up: backfillGeoCells,
  },
  {
    name: '2026-12-03-03-post-counters',
    // Posts whose counters drifted from their records (likes, comments, shares, views, bookmarks).
    up: recountAllPostCounters,
  },
  {
    name: '2026-12-03-04-message-number-index',
    // The unique (conversation, bucket, number) index took the place of a plain one on the same fields.
    up: async () => Number(await dropIndexIfPresent('messages', 'conversationId_1_bucket_1_seq_-1')),
  },
  {
    name: '2026-12-06-01-resume-old-deletions',
    // Accounts deleted before the scrub was resumable: finished by the clean-up job, out of groups.
    up: resumeDeletionsFromBefore,
  },
  {
    name: '2026-12-06-02-group-floors',
    // Groups from before their highest member floor was kept: set from their member rows.
    up: backfillGroupFloors,
  },
  {
    name: '2026-12-06-03-reply-numbers',
    // Replies from before a reply kept its target's number: read from the target.
    up: backfillReplyNumbers,
  },
  {
    name: '2026-12-07-01-webhook-event-tries',
    // Payment events left unprocessed before failed tries were timed: due at once.
    up: timeOldEventTries,
  },
  {
    name: '2026-12-07-02-reply-counts',
    // Reply counts from before a removed reply was uncounted: the replies shown under each comment.
    up: recountAllReplies,
  },
  {
    name: '2026-12-07-03-hidden-comment-counts',
    // Comments hidden before a hiding uncounted them: out of their post's and parent's counts.
    up: uncountHiddenComments,
  },
  {
    name: '2026-12-07-04-composed-emails',
    // Addresses stored in decomposed Unicode before sign-up normalised them: composed, so they sign in.
    up: composeStoredEmails,
  },
];
