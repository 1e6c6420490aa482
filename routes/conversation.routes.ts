import { Router } from 'express';
import * as attachments from '../controllers/attachment.controller.js';
import * as chat from '../controllers/conversation.controller.js';
import { attachmentUpload } from '../middlewares/upload.middleware.js';
import type { AttachmentDeps } from '../services/chat/attachment.service.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/conversation.validators.js';
import { uploadArrived, uploadCheck } from '../middlewares/upload-check.middleware.js';

/** Conversations and their messages, under /conversations; the same rules as the chat socket events. */
export function conversationRoutes(limit: RateLimiters, deps: AttachmentDeps): Router {
  const router = Router();
  // nginx's question before it reads an attachment: may this sender upload into this conversation now?
  router.get(
    '/:id/attachments/check',
    ...uploadCheck(limit, 'attachmentCheck', 'attachment'),
    validate(rules.uploadCheckRules),
    attachments.answerUploadCheck,
  );
  router.use(authenticate);
  // Attachments: the limit comes before the upload, so nothing is read for a refused one.
  router.post(
    '/:id/attachments',
    uploadArrived,
    limit.action('attachment'),
    validate(rules.idRules),
    attachments.mayUpload,
    attachmentUpload(attachments.largestUpload, attachments.uploadCap),
    validate(rules.attachmentUploadRules),
    attachments.upload(deps),
  );
  router.post(
    '/:id/attachments/uploads',
    limit.action('attachment'),
    validate(rules.attachmentTicketRules),
    attachments.ticket(deps),
  );
  router.post(
    '/:id/attachments/:attachmentId/complete',
    limit.action('attachmentConfirm'),
    validate(rules.attachmentRules),
    attachments.complete(deps),
  );
  router.get('/:id/attachments/:attachmentId', validate(rules.attachmentRules), attachments.show);
  // A list reads every conversation one is in: counted like history pages and syncs.
  router.get('/', limit.action('history'), validate(rules.listRules), chat.list);
  router.post('/', limit.action('conversation'), validate(rules.createGroupRules), chat.create);
  router.get('/:id', validate(rules.idRules), chat.get);
  router.get('/:id/messages', limit.action('history'), validate(rules.historyRules), chat.messages);
  router.post('/:id/messages', limit.action('message'), validate(rules.sendRules), chat.send);
  router.patch('/:id/messages/:messageId', limit.action('message'), validate(rules.editRules), chat.edit);
  router.delete('/:id/messages/:messageId', validate(rules.messageRules), chat.remove(deps.storage));
  router.post('/:id/read', validate(rules.readRules), chat.read);
  router.put('/:id/mute', validate(rules.muteRules), chat.mute);
  router.delete('/:id/mute', validate(rules.idRules), chat.unmute);
  router.post('/:id/members', validate(rules.addMemberRules), chat.addMemberTo);
  router.delete('/:id/members/:userId', validate(rules.memberRules), chat.removeMemberFrom);
  router.patch('/:id/members/:userId', validate(rules.roleRules), chat.setRole);
  return router;
}
