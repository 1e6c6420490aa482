import { useCallback, useEffect, useState } from 'react';
import { get, post } from '../api';
import { ErrorText, useAction } from '../components/Form';
import { UserCard, type UserCardView } from '../components/UserCard';

/** The swipe deck: one person at a time, best fit first; more are fetched as the deck runs low. */
export function Discover() {
  const [deck, setDeck] = useState<UserCardView[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [note, setNote] = useState<string | null>(null);
  const action = useAction();
  const more = useCallback(
    (from?: string | null) =>
      action.run(async () => {
        const page = await get<{ profiles: UserCardView[]; nextCursor: string | null }>('/discover', { limit: 10, cursor: from });
        setDeck((d) => [...d, ...page.profiles.filter((p) => !d.some((q) => q.id === p.id))]);
        setCursor(page.nextCursor);
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  useEffect(() => {
    void more();
  }, [more]);
  const current = deck[0];
  const swipe = (kind: 'interested' | 'ignored') =>
    current &&
    void action.run(async () => {
      const { matched } = await post<{ matched: boolean }>(`/connections/${current.id}`, { action: kind });
      setNote(
        matched
          ? `You and ${current.firstName} are connected!`
          : kind === 'interested'
            ? `Request sent to ${current.firstName}.`
            : null,
      );
      setDeck((d) => d.slice(1));
      if (deck.length <= 2 && cursor) void more(cursor);
    });
  return (
    <section>
      <h1>Discover</h1>
      {note && <p role="status">{note}</p>}
      <ErrorText error={action.error} />
      {current ? (
        <UserCard user={current}>
          <button type="button" onClick={() => swipe('ignored')} aria-label={`Pass on ${current.firstName}`}>
            Pass
          </button>
          <button type="button" onClick={() => swipe('interested')} aria-label={`Connect with ${current.firstName}`}>
            Connect
          </button>
        </UserCard>
      ) : (
        !action.busy && <p>No one new right now. Add interests or a location to your profile to see more people.</p>
      )}
    </section>
  );
}
