import { del, get, post } from '../api';
import { ErrorText, useAction } from '../components/Form';
import { useLoad } from '../lib/use-load';
import { useSession } from '../session';

interface SessionView {
  id: string;
  deviceName: string;
  deviceType: string;
  ip: string | null;
  country: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

/** Where this account is signed in; any device can be signed out, or all at once. */
export function Sessions() {
  const { setMe } = useSession();
  const { data, error, reload } = useLoad(() => get<{ sessions: SessionView[] }>('/auth/sessions').then((r) => r.sessions));
  const action = useAction();
  const end = (s: SessionView) =>
    action.run(async () => {
      await del(`/auth/sessions/${s.id}`);
      if (s.current) setMe(null);
      else await reload();
    });
  const endAll = () =>
    action.run(async () => {
      await post('/auth/logout-all');
      setMe(null);
    });
  return (
    <section>
      <h1>Sessions and devices</h1>
      <ErrorText error={error ?? action.error} />
      <ul className="list">
        {data?.map((s) => (
          <li key={s.id}>
            <strong>{s.deviceName}</strong> ({s.deviceType}){s.current && ' · this device'}
            <br />
            <small>
              {s.country ?? 'unknown place'} · last used {new Date(s.lastUsedAt).toLocaleString()}
            </small>{' '}
            <button type="button" onClick={() => void end(s)}>
              Sign out {s.current ? 'here' : 'that device'}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => void endAll()}>
        Sign out everywhere
      </button>
    </section>
  );
}
