import { useEffect, useState, type ReactNode } from 'react';
import { listen } from '../lib/listen';
import { NavLink, useNavigate } from 'react-router';
import { get } from '../api';
import { useSession } from '../session';

/** The signed-in frame: navigation with the live notifications badge, and the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  const [unread, setUnread] = useState(0);
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    const load = () =>
      get<{ unread: number }>('/notifications/unread-count')
        .then((r) => setUnread(r.unread))
        .catch(() => undefined);
    const onCount = (p: { unread: number }) => setUnread(p.unread);
    const onConnect = () => {
      setOffline(false);
      void load();
    };
    const onDisconnect = () => setOffline(true);
    void load();
    return listen({ 'notification:count': onCount, connect: onConnect, disconnect: onDisconnect, connect_error: onDisconnect });
  }, []);
  const staff = me?.role === 'admin' || me?.role === 'moderator';
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="Main">
          <NavLink to="/discover">Discover</NavLink>
          <NavLink to="/search">Search</NavLink>
          <NavLink to="/requests">Connections</NavLink>
          <NavLink to="/chat">Chat</NavLink>
          <NavLink to="/match">Random match</NavLink>
          <NavLink to="/feed">Feed</NavLink>
          <NavLink to="/notifications" aria-label={`Notifications, ${unread} unread`}>
            Notifications{' '}
            <span className="badge" data-testid="unread-badge" hidden={unread === 0}>
              {unread}
            </span>
          </NavLink>
          <NavLink to="/membership">Plans</NavLink>
          <NavLink to="/settings/profile">Profile</NavLink>
          <NavLink to="/settings/sessions">Sessions</NavLink>
          {staff && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <div className="who">
          <span data-testid="signed-in-as">@{me?.username}</span>
          <button type="button" onClick={() => void signOut().then(() => navigate('/', { replace: true }))}>
            Sign out
          </button>
        </div>
      </header>
      {offline && (
        <p className="offline" role="status" data-testid="offline">
          Connection lost. Reconnecting…
        </p>
      )}
      <main id="main">{children}</main>
    </div>
  );
}
