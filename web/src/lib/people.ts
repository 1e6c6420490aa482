import { useEffect, useState } from 'react';
import { get } from '../api';
import { listen } from './listen';
import type { UserCardView } from '../components/UserCard';

/**
 * Names for the ids chat and calls carry: the user's connections, loaded once, plus anyone
 * a match or a call introduced (their cards arrive with the event).
 */
const known = new Map<string, Pick<UserCardView, 'id' | 'username' | 'firstName'> & Partial<UserCardView>>();
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

export function rememberPerson(person: { id: string; username?: string; firstName?: string }): void {
  if (!person.firstName) return;
  known.set(person.id, { username: '', firstName: '', ...known.get(person.id), ...person } as UserCardView);
  listeners.forEach((l) => l());
}

export function loadConnections(): Promise<void> {
  loading ??= get<{ items: { user: UserCardView }[] }>('/connections', { limit: 100 })
    .then((page) => page.items.forEach((item) => rememberPerson(item.user)))
    .catch(() => {
      loading = null;
    });
  return loading;
}

export function forgetPeople(): void {
  known.clear();
  loading = null;
}

export const nameOf = (id: string | undefined): string => (id && known.get(id)?.firstName) || 'Someone';

/** Re-renders the caller when a new name becomes known; a new connection's name is read when it is made. */
export function usePeople(): typeof nameOf {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    listeners.add(bump);
    void loadConnections().then(bump);
    const unsubscribe = listen({
      'connection:accepted': (p: { user: { id: string; username: string; firstName: string } }) => rememberPerson(p.user),
    });
    return () => {
      listeners.delete(bump);
      unsubscribe();
    };
  }, []);
  return nameOf;
}
