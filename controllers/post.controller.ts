import type { Request, RequestHandler, Response } from 'express';
import * as posts from '../services/posts/post.service.js';
import type { MediaDeps } from '../services/posts/post.service.js';
import { callerId, inputOf, pageOf } from './caller.js';
import * as rules from '../validators/post.validators.js';

/** Before the upload: a user out of today's posts is refused without a byte of it being read. */
export const checkPostQuota: RequestHandler = async (req, _res, next) => {
  await posts.assertPostQuotaLeft(callerId(req));
  next();
};

export const createPost =
  (deps: MediaDeps): RequestHandler =>
  async (req, res) => {
    const input = inputOf(req, rules.createPostRules);
    const files = ((req.files as Express.Multer.File[] | undefined) ?? []).map((f) => ({ path: f.path, size: f.size }));
    const post = await posts.createPost(
      callerId(req),
      {
        caption: input.caption,
        visibility: input.visibility,
        sensitive: input.sensitive === 'true',
        place: input.placeName ? { name: input.placeName, lat: input.placeLat, lng: input.placeLng } : undefined,
      },
      files,
      deps,
    );
    res.status(202).json({ post });
  };

export async function getPost(req: Request, res: Response) {
  res.json({ post: await posts.getPost(callerId(req), inputOf(req, rules.postIdParam).id) });
}

const idAndCaption = (req: Request): [string, string] => {
  const { id, caption } = inputOf(req, rules.editPostRules);
  return [id, caption];
};

export async function editPost(req: Request, res: Response) {
  res.json({ post: await posts.editCaption(callerId(req), ...idAndCaption(req)) });
}

export const deletePost =
  (deps: MediaDeps): RequestHandler =>
  async (req, res) => {
    await posts.deletePost(callerId(req), inputOf(req, rules.postIdParam).id, deps.storage);
    res.status(204).end();
  };

export async function listAuthorPosts(req: Request, res: Response) {
  res.json(await posts.listAuthorPosts(callerId(req), inputOf(req, rules.authorPostsRules).userId, pageOf(req)));
}
