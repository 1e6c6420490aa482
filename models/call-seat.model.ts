import { Schema, model } from 'mongoose';

/**
 * Who is in a connected call, one row per person (`_id` is the user): the unique key is what
 * makes two answers at once (two rings answered on two devices, or a caller answering a ring
 * while theirs is answered) connect one call only. Taken before a call connects, given back
 * when it ends; a row whose call is not connected is left over from a crash or an answer that
 * failed, and is taken over once it is old (call.service.ts).
 */
const callSeatSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    callId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

// Given back by call when it ends.
callSeatSchema.index({ callId: 1 });

export const CallSeat = model('CallSeat', callSeatSchema);
