import type { Request, RequestHandler, Response } from 'express';
import * as comments from '../services/posts/comment.service.js';
import * as engagement from '../services/posts/engagement.service.js';
import * as stats from '../services/posts/stats.service.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import { callerId, inputOf, pageOf } from './caller.js';
import * as rules from '../validators/post.validators.js';

const postIdOf = (req: Request) => inputOf(req, rules.postIdParam).id;

export async function like(req: Request, res: Response) {
  res.json(await engagement.likePost(callerId(req), postIdOf(req)));
}

export async function unlike(req: Request, res: Response) {
  res.json(await engagement.unlikePost(callerId(req), postIdOf(req)));
}

export async function likers(req: Request, res: Response) {
  res.json(await engagement.listLikers(callerId(req), postIdOf(req), pageOf(req, 50)));
}

export async function view(req: Request, res: Response) {
  res.json(await engagement.viewPost(callerId(req), postIdOf(req)));
}

export async function share(req: Request, res: Response) {
  const { to, conversationId, clientMessageId } = inputOf(req, rules.shareRules);
  const target = to === 'feed' ? { to } : { to, conversationId: conversationId!, clientMessageId: clientMessageId! };
  const result = await engagement.sharePost(callerId(req), postIdOf(req), target);
  res.status(result.changed ? 201 : 200).json(result);
}

export async function bookmark(req: Request, res: Response) {
  res.json(await engagement.bookmarkPost(callerId(req), postIdOf(req), inputOf(req, rules.bookmarkRules).collectionId));
}

export async function unbookmark(req: Request, res: Response) {
  res.json(await engagement.unbookmarkPost(callerId(req), postIdOf(req)));
}

/**
 * GET /posts/:id/comments/check, nginx's question before it reads a comment (its picture up to
 * UPLOAD_MAX_BYTES): a post the caller may see, and the length said; 204 and nginx reads it.
 */
export async function answerCommentCheck(req: Request, res: Response) {
  const { id, 'x-upload-length': declared } = inputOf(req, rules.commentCheckRules);
  await comments.admitCommentUpload(callerId(req), id, { length: declared, requestId: req.id });
  res.status(204).end();
}

export const addComment =
  (storage: StorageProvider): RequestHandler =>
  async (req, res) => {
    const { text, parentId } = inputOf(req, rules.commentRules);
    const comment = await comments.addComment(callerId(req), postIdOf(req), { text, parentId, image: req.file?.buffer }, storage);
    res.status(201).json({ comment });
  };

export async function listComments(req: Request, res: Response) {
  res.json(
    await comments.listComments(callerId(req), postIdOf(req), {
      ...pageOf(req, 50),
      parentId: inputOf(req, rules.listCommentsRules).parentId,
    }),
  );
}

export const deleteComment =
  (storage: StorageProvider): RequestHandler =>
  async (req, res) => {
    await comments.deleteComment(callerId(req), inputOf(req, rules.commentIdParam).commentId, storage);
    res.status(204).end();
  };

export async function postStats(req: Request, res: Response) {
  const { from, to } = inputOf(req, rules.statsRules);
  res.json(await stats.postStats(callerId(req), postIdOf(req), { from, to }));
}

export async function creatorStats(req: Request, res: Response) {
  const { from, to } = inputOf(req, rules.creatorStatsRules);
  res.json(await stats.creatorStats(callerId(req), { from, to }));
}
