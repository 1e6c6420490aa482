import { useState } from 'react';
import { get, patch } from '../../api';
import { ErrorText, Field, useAction } from '../../components/Form';

interface AdminUser {
  id: string;
  username: string;
  /** Admins only. */
  email?: string;
  firstName: string;
  lastName: string;
  role: string;
  plan: string;
  status: string;
  createdAt: string;
}
type Page = { users: AdminUser[]; nextCursor: string | null };

/** Find accounts by email, id or username prefix; ban or lift a ban. */
export function AdminUsers() {
  const [q, setQ] = useState('');
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const action = useAction();
  const search = (from: string | null) =>
    action.run(async () => {
      const page = await get<Page>('/admin/users', { q: q.trim() || undefined, limit: 50, cursor: from });
      setUsers((list) => (from ? [...(list ?? []), ...page.users] : page.users));
      setCursor(page.nextCursor);
    });
  const ban = (u: AdminUser, banned: boolean) =>
    action.run(async () => {
      await patch(`/admin/users/${u.id}/ban`, banned ? { banned, reason: 'Banned from the admin pages' } : { banned });
      setUsers((list) => list?.map((x) => (x.id === u.id ? { ...x, status: banned ? 'banned' : 'active' } : x)) ?? null);
    });
  return (
    <div>
      <h2>Users</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void search(null);
        }}
      >
        <Field label="Email, id or username">
          <input value={q} onChange={(e) => setQ(e.target.value)} />
        </Field>
        <button type="submit">Find</button>
      </form>
      <ErrorText error={action.error} />
      {users && (
        <table>
          <thead>
            <tr>
              <th>User</th>
              <th>Email</th>
              <th>Role</th>
              <th>Plan</th>
              <th>Status</th>
              <th>Joined</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.firstName} {u.lastName} (@{u.username})
                </td>
                <td>{u.email ?? '—'}</td>
                <td>{u.role}</td>
                <td>{u.plan}</td>
                <td>{u.status}</td>
                <td>{new Date(u.createdAt).toLocaleDateString()}</td>
                <td>
                  <button type="button" onClick={() => void ban(u, u.status !== 'banned')}>
                    {u.status === 'banned' ? 'Lift ban' : 'Ban'} @{u.username}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void search(cursor)}>
          More
        </button>
      )}
    </div>
  );
}
