import { get, post } from '../../api';
import { ErrorText, useAction } from '../../components/Form';
import { useLoad } from '../../lib/use-load';

interface Case {
  id: string;
  targetType: string;
  targetId: string;
  reporters: number;
  severity: number;
  score: number;
  reports: { reason: string; note: string | null; at: string }[];
}

/** Open reports, most urgent first; each decided with a note. */
export function ReviewQueue() {
  const { data, error, reload } = useLoad(() => get<{ cases: Case[] }>('/admin/review', { limit: 50 }).then((r) => r.cases));
  const action = useAction();
  const decide = (c: Case, decision: 'dismiss' | 'warn' | 'hide') =>
    action.run(async () => {
      await post(`/admin/review/${c.id}/decision`, { action: decision, note: `Decided from the admin pages: ${decision}` });
      await reload();
    });
  return (
    <div>
      <h2>Review queue</h2>
      <ErrorText error={error ?? action.error} />
      {data?.length === 0 && <p>Nothing to review.</p>}
      <ul className="list">
        {data?.map((c) => (
          <li key={c.id}>
            <strong>{c.targetType}</strong> {c.targetId} · {c.reporters} report{c.reporters === 1 ? '' : 's'} · score {c.score}
            <ul>
              {c.reports.map((r, i) => (
                <li key={i}>
                  {r.reason}
                  {r.note && `: ${r.note}`}
                </li>
              ))}
            </ul>
            <button type="button" onClick={() => void decide(c, 'dismiss')}>
              Dismiss
            </button>
            <button type="button" onClick={() => void decide(c, 'warn')}>
              Warn
            </button>
            {c.targetType !== 'user' && (
              <button type="button" onClick={() => void decide(c, 'hide')}>
                Hide
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
