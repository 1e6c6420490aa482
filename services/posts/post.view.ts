import type { Types } from 'mongoose';

export interface PostDoc {
  _id: Types.ObjectId;
  authorId: Types.ObjectId;
  caption?: string | null;
  hashtags?: string[] | null;
  mentions?: Types.ObjectId[] | null;
  kind: string;
  images?:
    | {
        urls?: { thumb?: string | null; card?: string | null; full?: string | null } | null;
        width?: number | null;
        height?: number | null;
      }[]
    | null;
  video?: {
    masterUrl?: string | null;
    posterUrl?: string | null;
    renditions?: { height?: number | null; width?: number | null; bandwidth?: number | null; url?: string | null }[] | null;
    durationSec?: number | null;
    width?: number | null;
    height?: number | null;
  } | null;
  place?: { name?: string | null; lat?: number | null; lng?: number | null } | null;
  visibility?: string | null;
  status?: string | null;
  failReason?: string | null;
  counters?: { likes?: number; comments?: number; shares?: number; views?: number; bookmarks?: number } | null;
  createdAt?: Date;
  updatedAt?: Date;
  readyAt?: Date | null;
}

/** The fields of a post any viewer may see (the author also sees status and a failure's reason). */
export const POST_FIELDS =
  'authorId caption hashtags mentions kind images video place visibility status failReason counters createdAt updatedAt readyAt';

export function postView(post: PostDoc) {
  const c = post.counters ?? {};
  return {
    id: String(post._id),
    authorId: String(post.authorId),
    caption: post.caption ?? '',
    hashtags: post.hashtags ?? [],
    mentions: (post.mentions ?? []).map(String),
    kind: post.kind,
    images: (post.images ?? []).map((i) => ({ urls: i.urls, width: i.width, height: i.height })),
    video: post.video?.masterUrl
      ? {
          masterUrl: post.video.masterUrl,
          posterUrl: post.video.posterUrl,
          durationSec: post.video.durationSec,
          width: post.video.width,
          height: post.video.height,
          renditions: (post.video.renditions ?? []).map((r) => ({
            height: r.height,
            width: r.width,
            bandwidth: r.bandwidth,
            url: r.url,
          })),
        }
      : null,
    place: post.place?.name ? { name: post.place.name, lat: post.place.lat ?? null, lng: post.place.lng ?? null } : null,
    visibility: post.visibility ?? 'public',
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
