import { useState } from 'react';
import { Link } from 'react-router';
import { del, get, post, put } from '../api';
import { ErrorText, useAction } from '../components/Form';
import type { Photo } from '../session';
import { HlsVideo } from './HlsVideo';

export interface PostView {
  id: string;
  authorId: string;
  /** Feed items only (a post read by id has no author card). */
  author?: { id: string; username: string; firstName: string; avatar: Photo | null };
  caption: string;
  kind: 'images' | 'video';
  images: { urls: { thumb: string; card: string; full: string } }[];
  video: { masterUrl: string; posterUrl: string } | null;
  status: string;
  /** The author marked it sensitive: its media wait behind a button. */
  sensitive?: boolean;
  counters: { likes: number; comments: number; shares: number; views: number; bookmarks: number };
  createdAt: string;
}
interface Comment {
  id: string;
  text: string;
  deleted?: boolean;
  /** Null for a removed comment kept for its replies. */
  author: { username: string; firstName: string } | null;
}

/** One post: media, caption, like, comment, bookmark. */
export function PostCard({ post: initial }: { post: PostView }) {
  const [p, setPost] = useState(initial);
  const [liked, setLiked] = useState(false);
  const [saved, setSaved] = useState(false);
  const [revealed, setRevealed] = useState(!initial.sensitive);
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [text, setText] = useState('');
  const action = useAction();
  const who = p.author ? p.author.firstName : 'Someone';
  const toggleLike = () =>
    action.run(async () => {
      const r = liked
        ? await del<{ liked: boolean; changed: boolean }>(`/posts/${p.id}/like`)
        : await post<{ liked: boolean; changed: boolean }>(`/posts/${p.id}/like`);
      setLiked(r.liked);
      if (r.changed) setPost({ ...p, counters: { ...p.counters, likes: p.counters.likes + (r.liked ? 1 : -1) } });
    });
  const toggleSave = () =>
    action.run(async () => {
      setSaved(
        (
          await (saved
            ? del<{ bookmarked: boolean }>(`/posts/${p.id}/bookmark`)
            : put<{ bookmarked: boolean }>(`/posts/${p.id}/bookmark`, {}))
        ).bookmarked,
      );
    });
  const loadComments = () =>
    action.run(async () => setComments((await get<{ items: Comment[] }>(`/posts/${p.id}/comments`, { limit: 50 })).items));
  const comment = action.onSubmit(async () => {
    const { comment: created } = await post<{ comment: Comment }>(`/posts/${p.id}/comments`, { text });
    setComments((c) => [...(c ?? []), created]);
    setText('');
    setPost({ ...p, counters: { ...p.counters, comments: p.counters.comments + 1 } });
  });
  return (
    <article className="post" aria-label={`Post by ${who}`}>
      <header>
        {p.author?.avatar && <img className="avatar" src={p.author.avatar.urls.thumb} alt="" />}
        {p.author ? <Link to={`/people/${p.author.username}`}>{p.author.firstName}</Link> : 'Someone'}
        <small className="muted"> · {new Date(p.createdAt).toLocaleString()}</small>
      </header>
      {!revealed && (
        <button type="button" onClick={() => setRevealed(true)}>
          Sensitive content: show
        </button>
      )}
      {revealed &&
        p.kind === 'images' &&
        p.images.map((img, i) => <img key={i} src={img.urls.card} alt={`${who}'s photo ${i + 1}`} />)}
      {revealed && p.kind === 'video' && p.video && (
        <HlsVideo src={p.video.masterUrl} poster={p.video.posterUrl} label={`${who}'s reel`} />
      )}
      {p.caption && <p>{p.caption}</p>}
      <div className="actions">
        <button type="button" aria-pressed={liked} onClick={() => void toggleLike()}>
          {liked ? 'Unlike' : 'Like'} ({p.counters.likes})
        </button>
        <button type="button" onClick={() => void loadComments()}>
          Comments ({p.counters.comments})
        </button>
        <button type="button" aria-pressed={saved} onClick={() => void toggleSave()}>
          {saved ? 'Saved' : 'Save'}
        </button>
      </div>
      <ErrorText error={action.error} />
      {comments && (
        <>
          <ul className="comments">
            {comments.map((c) => (
              <li key={c.id}>
                {c.author ? (
                  <>
                    <strong>{c.author.firstName}</strong> {c.text}
                  </>
                ) : (
                  <em>Comment removed</em>
                )}
              </li>
            ))}
          </ul>
          <form onSubmit={comment}>
            <label className="sr-only" htmlFor={`comment-${p.id}`}>
              Add a comment
            </label>
            <input id={`comment-${p.id}`} value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} required />
            <button type="submit">Comment</button>
          </form>
        </>
      )}
    </article>
  );
}
