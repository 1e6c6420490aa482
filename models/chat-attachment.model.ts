import { Schema, model } from 'mongoose';

export const ATTACHMENT_KINDS = ['image', 'video', 'voice', 'file'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/**
 * A file sent in a chat: uploaded into one conversation by one member, processed by the
 * media job (images resized and stripped, videos and voice notes transcoded, files
 * checked), then attached to at most one message. Its objects are private keys, served
 * only through links signed for a current member.
 */
const chatAttachmentSchema = new Schema(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    uploaderId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ATTACHMENT_KINDS, required: true },
    // uploading: a direct upload ticket was given; processing: the job has it; then ready or failed;
    // dropped: its message was deleted, its objects are going.
    status: { type: String, enum: ['uploading', 'processing', 'ready', 'failed', 'dropped'], required: true },
    failReason: { type: String },
    storage: { type: String, required: true },
    // The upload as sent: private, never linked, deleted once processed.
    sourceKey: { type: String, required: true },
    sourceBytes: { type: Number },
    // What is served, by role: thumb/card/full (image), video/poster (video), audio (voice), file.
    keys: { type: Schema.Types.Mixed },
    // Every stored object, so nothing is left behind when the attachment goes.
    objects: { type: [String], default: [] },
    width: { type: Number },
    height: { type: Number },
    durationSec: { type: Number },
    // Files: the name shown (its extension is the sniffed type's), the type and size.
    name: { type: String, maxlength: 120 },
    contentType: { type: String },
    bytes: { type: Number },
    // Set once, by the send that takes it: an attachment belongs to one message.
    messageId: { type: Schema.Types.ObjectId, default: null },
    processingStartedAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);

chatAttachmentSchema.index({ uploaderId: 1, createdAt: -1 });
// The uploads one person has waiting and unsent, counted before each upload and each check of
// one (assertRoomForUpload): read among those few, not among everything they ever sent.
chatAttachmentSchema.index({ uploaderId: 1, status: 1 });
chatAttachmentSchema.index({ uploaderId: 1, messageId: 1 });
chatAttachmentSchema.index({ status: 1, processingStartedAt: 1 });
// Unsent attachments are swept after a day.
chatAttachmentSchema.index({ messageId: 1, createdAt: 1 });

export const ChatAttachment = model('ChatAttachment', chatAttachmentSchema);
