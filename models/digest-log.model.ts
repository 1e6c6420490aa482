import { Schema, model } from 'mongoose';

/** One record per user and day a digest went out: its unique key makes a second send impossible. */
const digestLogSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${userId}:${day}`
    day: { type: String, required: true },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

digestLogSchema.index({ day: 1 });

export const DigestLog = model('DigestLog', digestLogSchema);
