import { useState } from 'react';
import { request } from '../api';
import { ErrorText, Field, useAction } from '../components/Form';
import { openSocket } from '../socket';
import { PostCard, type PostView } from '../feed/PostCard';

/** Post photos or a reel: uploaded once, processed in the background, shown when ready. */
export function NewPost() {
  const [files, setFiles] = useState<File[]>([]);
  const [caption, setCaption] = useState('');
  const [visibility, setVisibility] = useState('public');
  const [status, setStatus] = useState<string | null>(null);
  const [ready, setReady] = useState<PostView | null>(null);
  const action = useAction();
  const submit = action.onSubmit(async () => {
    const form = new FormData();
    form.append('caption', caption);
    form.append('visibility', visibility);
    for (const file of files) form.append('media', file);
    const { post } = await request<{ post: PostView }>('/posts', { method: 'POST', body: form });
    setStatus('Processing your post…');
    const socket = openSocket();
    const onReady = (p: { postId: string; post: PostView }) => {
      if (p.postId !== post.id) return;
      setStatus('Your post is live.');
      setReady(p.post);
      socket.off('post:ready', onReady);
    };
    const onFailed = (p: { postId: string; reason: string }) => {
      if (p.postId !== post.id) return;
      setStatus(`Your post could not be processed (${p.reason}).`);
      socket.off('post:failed', onFailed);
    };
    socket.on('post:ready', onReady);
    socket.on('post:failed', onFailed);
    setFiles([]);
    setCaption('');
  });
  return (
    <section>
      <h1>New post</h1>
      <form onSubmit={submit}>
        <Field label="Photos (up to 10) or one video">
          <input
            type="file"
            multiple
            accept="image/jpeg,image/png,image/webp,image/heic,video/mp4,video/quicktime,video/webm"
            onChange={(e) => setFiles([...(e.target.files ?? [])])}
            required
          />
        </Field>
        <Field label="Caption">
          <textarea value={caption} onChange={(e) => setCaption(e.target.value)} maxLength={2200} />
        </Field>
        <Field label="Who can see it">
          <select value={visibility} onChange={(e) => setVisibility(e.target.value)}>
            <option value="public">Everyone</option>
            <option value="connections">My connections</option>
          </select>
        </Field>
        <ErrorText error={action.error} />
        <button type="submit" disabled={action.busy || files.length === 0}>
          Post
        </button>
      </form>
      {status && <p role="status">{status}</p>}
      {ready && <PostCard post={ready} />}
    </section>
  );
}
