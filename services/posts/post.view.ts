import type { Types } from 'mongoose';
import { mediaLinks } from '../storage/media-links.js';

export interface PostDoc {
  _id: Types.ObjectId;
  authorId: Types.ObjectId;
  caption?: string | null;
  hashtags?: string[] | null;
  mentions?: Types.ObjectId[] | null;
  kind: string;
  images?: ImageKeys[] | null;
  video?: {
    prefix?: string | null;
    renditions?: { height?: number | null; width?: number | null; bandwidth?: number | null; dir?: string | null }[] | null;
    durationSec?: number | null;
    width?: number | null;
    height?: number | null;
  } | null;
  place?: { name?: string | null; lat?: number | null; lng?: number | null } | null;
  visibility?: string | null;
  sensitive?: boolean | null;
  status?: string | null;
  failReason?: string | null;
  counters?: { likes?: number; comments?: number; shares?: number; views?: number; bookmarks?: number } | null;
  createdAt?: Date;
  updatedAt?: Date;
  readyAt?: Date | null;
}

/** The fields of a post any viewer may see (the author also sees status and a failure's reason). */
export const POST_FIELDS =
  'authorId caption hashtags mentions kind images video place visibility sensitive status failReason counters createdAt updatedAt readyAt';

export interface ImageKeys {
  keys?: { thumb?: string | null; card?: string | null; full?: string | null } | null;
  width?: number | null;
  height?: number | null;
}

const link = (key: string | null | undefined) => (key ? mediaLinks.link(key) : null);

/** A stored picture as a viewer gets it: a short-lived signed link per size. */
export function imageView(image: ImageKeys | null | undefined) {
  if (!image?.keys) return null;
  const { thumb, card, full } = image.keys;
  return { urls: { thumb: link(thumb), card: link(card), full: link(full) }, width: image.width, height: image.height };
}

/**
 * A post as a viewer gets it. Media go out as short-lived signed links, made here for the
 * viewer the caller has already checked: nothing of a post is ever at a public address.
 */
export function postView(post: PostDoc) {
  const c = post.counters ?? {};
  return {
    id: String(post._id),
    authorId: String(post.authorId),
    caption: post.caption ?? '',
    hashtags: post.hashtags ?? [],
    mentions: (post.mentions ?? []).map(String),
    kind: post.kind,
    images: (post.images ?? []).flatMap((i) => imageView(i) ?? []),
    video: post.video?.prefix
      ? {
          masterUrl: link(`${post.video.prefix}/master.m3u8`),
          posterUrl: link(`${post.video.prefix}/poster.jpg`),
          durationSec: post.video.durationSec,
          width: post.video.width,
          height: post.video.height,
          renditions: (post.video.renditions ?? []).map((r) => ({
            height: r.height,
            width: r.width,
            bandwidth: r.bandwidth,
            url: link(`${post.video!.prefix}/${r.dir}/index.m3u8`),
          })),
        }
      : null,
    place: post.place?.name ? { name: post.place.name, lat: post.place.lat ?? null, lng: post.place.lng ?? null } : null,
    visibility: post.visibility ?? 'public',
    // The author's mark: a client blurs it wherever it shows (For You leaves it out for viewers with the filter on).
    sensitive: Boolean(post.sensitive),
    status: post.status ?? 'processing',
    failReason: post.failReason ?? null,
    counters: {
      likes: c.likes ?? 0,
      comments: c.comments ?? 0,
      shares: c.shares ?? 0,
      views: c.views ?? 0,
      bookmarks: c.bookmarks ?? 0,
    },
    createdAt: post.createdAt,
    readyAt: post.readyAt ?? null,
  };
}
