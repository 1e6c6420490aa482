import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get, onSessionLost, post } from './api';
import { forgetIceServers } from './calls/peer';
import { forgetPeople } from './lib/people';
import { closeSocket } from './socket';

export interface Photo {
  id: string;
  urls: { thumb: string; card: string; full: string };
  width: number;
  height: number;
}

export interface Me {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  emailVerified: boolean;
  role: 'user' | 'moderator' | 'admin';
  plan: 'free' | 'gold' | 'premium';
  avatar: Photo | null;
  gallery: Photo[];
  [key: string]: unknown;
}

interface Session {
  /** undefined while the first /auth/me is in flight; null when signed out. */
  me: Me | null | undefined;
  setMe: (me: Me | null) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

const beforeSignOut = new Set<() => Promise<unknown>>();
/** Work that must reach the server while the session still exists (hanging up a call); returns the unregister. */
export function onBeforeSignOut(task: () => Promise<unknown>): () => void {
  beforeSignOut.add(task);
  return () => beforeSignOut.delete(task);
}

/** Who is signed in, read from the server (the cookies are HTTP-only: the page cannot see them). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const signOut = useCallback(async () => {
    await Promise.allSettled([...beforeSignOut].map((task) => task()));
    await post('/auth/logout').catch(() => undefined);
    setMe(null);
  }, []);
  useEffect(() => {
    get<{ user: Me }>('/auth/me').then(
      (r) => setMe(r.user),
      () => setMe(null),
    );
    return onSessionLost(() => setMe(null));
  }, []);
  // Signed out by any path (here, another tab, a revoked session): nothing of this account
  // stays for the next one in this tab: the socket, the names it knew, its TURN credentials.
  useEffect(() => {
    if (me !== null) return;
    closeSocket();
    forgetPeople();
    forgetIceServers();
  }, [me]);
  const value = useMemo(() => ({ me, setMe, signOut }), [me, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user, for pages only reachable signed in. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe while signed out');
  return me;
}
