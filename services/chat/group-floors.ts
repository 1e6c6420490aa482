import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { Message } from '../../models/message.model.js';

/**
 * Groups from before their highest member floor was kept (Conversation.maxHistoryFromSeq):
 * it is set from their member rows, so who may see a message needs no member read there
 * either. Safe beside live adds: floors only grow, and both sides write with $max.
 */
export async function backfillGroupFloors(): Promise<number> {
  const groups = await Conversation.find({ type: 'group', maxHistoryFromSeq: { $exists: false } }, { _id: 1 }).lean();
  for (const group of groups) {
    const rows = await ConversationMember.find(
      { conversationId: group._id, historyFromSeq: { $exists: true } },
      { historyFromSeq: 1 },
    ).lean();
    const highest = Math.max(0, ...rows.map((r) => r.historyFromSeq ?? 0));
    await Conversation.updateOne({ _id: group._id }, { $max: { maxHistoryFromSeq: highest } });
  }
  return groups.length;
}

/**
 * Replies from before a reply kept the number of its target (Message.replyToSeq): it is read
 * from the target, so a member who came into the group after the target is not told its id.
 * One pass over replies without it (unindexed, once).
 */
export async function backfillReplyNumbers(): Promise<number> {
  const replies = await Message.find({ replyToId: { $exists: true }, replyToSeq: { $exists: false } }, { replyToId: 1 }).lean();
  for (const reply of replies) {
    // Messages are never removed (a deletion keeps the numbered place): a target is always there.
    const target = await Message.findById(reply.replyToId, { seq: 1 }).lean();
    if (target) await Message.updateOne({ _id: reply._id }, { $set: { replyToSeq: target.seq } });
  }
  return replies.length;
}
