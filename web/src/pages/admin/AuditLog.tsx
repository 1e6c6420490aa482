import { useState } from 'react';
import { get } from '../../api';
import { ErrorText, useAction } from '../../components/Form';
import { useLoad } from '../../lib/use-load';

interface Record_ {
  id: string;
  action: string;
  actor: string;
  actorId?: string;
  target?: { type: string; id: string };
  at: string;
}
type Page = { records: Record_[]; nextCursor: string | null };

/** Who did what, newest first. */
export function AuditLog() {
  const first = useLoad(() => get<Page>('/admin/audit', { limit: 50 }));
  const [more, setMore] = useState<Record_[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const action = useAction();
  const next = cursor === undefined ? first.data?.nextCursor : cursor;
  const older = () =>
    action.run(async () => {
      const page = await get<Page>('/admin/audit', { limit: 50, cursor: next });
      setMore((m) => [...m, ...page.records]);
      setCursor(page.nextCursor);
    });
  return (
    <div>
      <h2>Audit log</h2>
      <ErrorText error={first.error ?? action.error} />
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Action</th>
            <th>By</th>
            <th>Target</th>
          </tr>
        </thead>
        <tbody>
          {[...(first.data?.records ?? []), ...more].map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.at).toLocaleString()}</td>
              <td>{r.action}</td>
              <td>{r.actorId ?? r.actor}</td>
              <td>{r.target ? `${r.target.type} ${r.target.id}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && (
        <button type="button" onClick={() => void older()}>
          Older
        </button>
      )}
    </div>
  );
}
