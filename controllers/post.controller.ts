import type { Request, RequestHandler, Response } from 'express';
import type { PostVisibility } from '../models/post.model.js';
import * as posts from '../services/posts/post.service.js';
import type { MediaDeps } from '../services/posts/post.service.js';
import { callerId } from './caller.js';

/** Before the upload: a user out of today's posts is refused without a byte of it being read. */
export const checkPostQuota: RequestHandler = async (req, _res, next) => {
  await posts.assertPostQuotaLeft(callerId(req));
  next();
};

export const createPost =
  (deps: MediaDeps): RequestHandler =>
  async (req, res) => {
    const input = req.input as {
      caption?: string;
      visibility?: PostVisibility;
      sensitive?: string;
      placeName?: string;
      placeLat?: number;
      placeLng?: number;
    };
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
  res.json({ post: await posts.getPost(callerId(req), req.input.id as string) });
}

export async function editPost(req: Request, res: Response) {
  res.json({ post: await posts.editCaption(callerId(req), req.input.id as string, req.input.caption as string) });
}

export const deletePost =
  (deps: MediaDeps): RequestHandler =>
  async (req, res) => {
    await posts.deletePost(callerId(req), req.input.id as string, deps.storage);
    res.status(204).end();
  };

export async function listAuthorPosts(req: Request, res: Response) {
  const { userId, limit, cursor } = req.input as { userId: string; limit?: number; cursor?: string };
  res.json(await posts.listAuthorPosts(callerId(req), userId, { limit: limit ?? 20, cursor }));
}
