import { Schema, model } from 'mongoose';

/** What a person told their feeds: muted hashtags and authors, preferred topics, the sensitive filter. */
const feedSettingsSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true }, // the user
    mutedTags: { type: [String], default: [] },
    mutedAuthors: { type: [Schema.Types.ObjectId], default: [] },
    preferredTopics: { type: [String], default: [] },
    sensitiveFilter: { type: Boolean, default: true },
  },
  { versionKey: false, timestamps: true },
);

export const FeedSettings = model('FeedSettings', feedSettingsSchema);
