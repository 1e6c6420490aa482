import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { Message } from '../../models/message.model.js';

/**
 * Every group's highest member floor (Conversation.maxHistoryFromSeq) set from its member
 * rows, so who may see a message needs no member read; and the rows of members added before
 * it was kept get when they came in (their row's creation, the best record there is). All
 * groups, not only those without it: a process of an older release adding members during a
 * rolling deploy (or after a rollback) raises no floor, and running this again mends that.
 * Safe beside live adds: floors only grow, and both sides write with $max.
 */
export async function backfillGroupFloors(): Promise<number> {
  let groups = 0;
  for await (const group of Conversation.find({ type: 'group' }, { _id: 1 }).lean().batchSize(500).cursor()) {
    const rows = await ConversationMember.find(
      { conversationId: group._id, historyFromSeq: { $exists: true } },
      { historyFromSeq: 1, historyFromAt: 1, createdAt: 1 },
    ).lean();
    for (const row of rows.filter((r) => !r.historyFromAt))
      await ConversationMember.updateOne(
        { _id: row._id, historyFromAt: { $exists: false } },
        { $set: { historyFromAt: row.createdAt } },
      );
    const highest = Math.max(0, ...rows.map((r) => r.historyFromSeq ?? 0));
    await Conversation.updateOne({ _id: group._id }, { $max: { maxHistoryFromSeq: highest } });
    groups++;
  }
  return groups;
}

/**
 * Replies from before a reply kept the number of its target (Message.replyToSeq): it is read
 * from the target, so a member who came into the group after the target is not told its id.
 * One pass over replies without it (unindexed, once; until then such a reply's target counts
 * as the first message, named only to members from the start).
 */
export async function backfillReplyNumbers(): Promise<number> {
  let replies = 0;
  const unnumbered = Message.find({ replyToId: { $exists: true }, replyToSeq: { $exists: false } }, { replyToId: 1 });
  for await (const reply of unnumbered.lean().batchSize(500).cursor()) {
    // Messages are never removed (a deletion keeps the numbered place): a target is always there.
    const target = await Message.findById(reply.replyToId, { seq: 1 }).lean();
    if (target) await Message.updateOne({ _id: reply._id }, { $set: { replyToSeq: target.seq } });
    replies++;
  }
  return replies;
}
