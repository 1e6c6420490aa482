import path from 'node:path';
import { Comment } from '../../models/comment.model.js';
import { Post } from '../../models/post.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { SERVABLE } from './post.service.js';
import { standsWell } from '../people/standing.js';
import { openableAttachment } from '../chat/attachment.service.js';
import { mediaLinks, PRIVATE_PREFIX } from '../storage/media-links.js';
import type { StorageProvider } from '../storage/storage.provider.js';

// What a link may name: a post's, comment's or chat attachment's processed media, never an upload (`/src/`).
const LINKABLE = new RegExp(
  `^${PRIVATE_PREFIX}(posts|comments|chat)/([a-f0-9]{24})/(?!src/)[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\\.[a-z0-9]{2,5}$`,
);

export type MediaDelivery =
  | { kind: 'file'; file: string; maxAge: number; downloadAs?: string }
  | { kind: 'redirect'; url: string; maxAge: number }
  | { kind: 'playlist'; body: string; maxAge: number };

const linkRefused = (reason: 'expired' | 'invalid') =>
  new AppError(reason === 'expired' ? 'LINK_EXPIRED' : 'LINK_INVALID', 'This media link is not valid (anymore)');

/**
 * Whether what the media belongs to may still be seen at all: a servable post whose author
 * stands well (a ban or a suspension cuts links handed out before it, as hiding does); a
 * live comment, whose author stands well too, under one.
 */
async function ownerServable(kind: string, id: string): Promise<boolean> {
  const comment =
    kind === 'comments'
      ? await Comment.findOne({ _id: id, deletedAt: null, hiddenAt: null }, { postId: 1, authorId: 1 }).lean()
      : null;
  const postId = kind === 'posts' ? id : comment?.postId;
  const post = postId ? await Post.findOne({ _id: postId, ...SERVABLE }, { authorId: 1 }).lean() : null;
  if (!post) return false;
  const [authorStands, commenterStands] = await Promise.all([
    standsWell(post.authorId),
    comment ? standsWell(comment.authorId) : true,
  ]);
  return authorStands && commenterStands;
}

/**
 * An HLS playlist names its renditions and segments relatively; each becomes a signed
 * link of its own, expiring with the playlist's.
 */
function signPlaylist(key: string, text: string, expiry: number): string {
  const dir = path.posix.dirname(key);
  const sign = (uri: string) => {
    const child = path.posix.normalize(`${dir}/${uri}`);
    if (!LINKABLE.test(child) || !child.startsWith(`${dir.split('/').slice(0, 3).join('/')}/`)) return uri;
    return mediaLinks.linkUntil(child, expiry);
  };
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (!trimmed) return line;
      if (trimmed.startsWith('#')) return line.replace(/URI="([^"]+)"/g, (_, uri: string) => `URI="${sign(uri)}"`);
      return sign(trimmed);
    })
    .join('\n');
}

/**
 * Opens a signed media link: the signature and expiry, then the post (or comment) it
 * belongs to must still be servable: hiding or deleting one cuts its pictures, posters and
 * playlists at once (video segments, reached only through a playlist, at most with their
 * link's expiry: a look per segment would cost a query every few seconds of playback).
 * Files come from the app (local storage) or by a redirect to the provider's own URL
 * signed for the link's remaining life; playlists are re-signed.
 */
export async function openMediaLink(
  storage: StorageProvider,
  key: string,
  expiry: number,
  mac: string,
  viewer?: string,
): Promise<MediaDelivery> {
  const verdict = mediaLinks.check(key, expiry, mac, viewer);
  if (verdict !== 'ok') throw linkRefused(verdict);
  const match = LINKABLE.exec(key);
  if (!match) throw notFound('Media');
  let downloadAs: string | undefined;
  if (match[1] === 'chat') {
    // Chat links are signed for one member, who must still be in the conversation.
    const openable = viewer ? await openableAttachment(match[2]!, viewer) : null;
    if (!openable) throw notFound('Media');
    downloadAs = openable.downloadAs;
  } else if (!key.endsWith('.ts') && !(await ownerServable(match[1]!, match[2]!))) throw notFound('Media');
  const maxAge = Math.max(1, expiry - Math.floor(Date.now() / 1000));
  if (key.endsWith('.m3u8')) {
    const text = await storage.files.read(key);
    if (!text) throw notFound('Media');
    return { kind: 'playlist', body: signPlaylist(key, text.toString('utf8'), expiry), maxAge };
  }
  const delivery = await storage.files.deliver(key, maxAge, downloadAs);
  return 'file' in delivery
    ? { kind: 'file', file: delivery.file, maxAge, ...(downloadAs && { downloadAs }) }
    : { kind: 'redirect', url: delivery.redirect, maxAge };
}
