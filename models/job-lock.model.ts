import { Schema, model } from 'mongoose';

/** A scheduled job's lease: one process holds `_id` (the job's name) until `until`. */
const jobLockSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { versionKey: false },
);

export const JobLock = model('JobLock', jobLockSchema);
