import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get, onSessionLost, post } from './api';
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
  reload: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** Who is signed in, read from the server (the cookies are HTTP-only: the page cannot see them). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const reload = useCallback(async () => {
    try {
      setMe((await get<{ user: Me }>('/auth/me')).user);
    } catch {
      setMe(null);
    }
  }, []);
  const signOut = useCallback(async () => {
    await post('/auth/logout').catch(() => undefined);
    closeSocket();
    setMe(null);
  }, []);
  useEffect(() => {
    get<{ user: Me }>('/auth/me').then(
      (r) => setMe(r.user),
      () => setMe(null),
    );
    return onSessionLost(() => {
      closeSocket();
      setMe(null);
    });
  }, [reload]);
  // Signed out by any path (here, another tab, a revoked session): the socket goes too.
  useEffect(() => {
    if (me === null) closeSocket();
  }, [me]);
  const value = useMemo(() => ({ me, setMe, reload, signOut }), [me, reload, signOut]);
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
