import { Conversation, ConversationMember } from '../../models/conversation.model.js';

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
