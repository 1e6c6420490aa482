import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { get } from '../api';
import { ErrorText, useAction } from '../components/Form';
import { PostCard, type PostView } from '../feed/PostCard';

type Tab = 'for-you' | 'following';
type Page = { items: PostView[]; nextCursor: string | null };

/** For You and Following, a page at a time by the server's cursor. */
export function Feed() {
  const [tab, setTab] = useState<Tab>('for-you');
  const [items, setItems] = useState<PostView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const action = useAction();
  // The tab shown now: a slow answer for the tab left behind is dropped.
  const shown = useRef(tab);
  useEffect(() => {
    shown.current = tab;
  }, [tab]);
  const load = useCallback(
    (from: string | null) =>
      action.run(async () => {
        const page = await get<Page>(`/feed/${tab}`, { limit: 10, cursor: from });
        if (shown.current !== tab) return;
        setItems((list) => (from ? [...list, ...page.items.filter((p) => !list.some((q) => q.id === p.id))] : page.items));
        setCursor(page.nextCursor);
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [tab],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  return (
    <section>
      <h1>Feed</h1>
      <div role="tablist" aria-label="Feeds">
        {(['for-you', 'following'] as const).map((t) => (
          <button key={t} role="tab" type="button" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t === 'for-you' ? 'For You' : 'Following'}
          </button>
        ))}
        <Link to="/feed/new" className="button">
          New post
        </Link>
      </div>
      <ErrorText error={action.error} />
      <div role="tabpanel" className="feed">
        {items.map((p) => (
          <PostCard key={p.id} post={p} />
        ))}
        {!action.busy && items.length === 0 && <p>Nothing here yet.</p>}
      </div>
      {cursor && (
        <button type="button" onClick={() => void load(cursor)} disabled={action.busy}>
          Load more
        </button>
      )}
    </section>
  );
}
