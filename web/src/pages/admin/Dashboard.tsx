import { useEffect, useState } from 'react';
import { listen } from '../../lib/listen';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { get } from '../../api';
import { ErrorText } from '../../components/Form';
import { useLoad } from '../../lib/use-load';

interface Point {
  at: string;
  signup: number;
  message: number;
  match: number;
  connection: number;
  post: number;
  active?: number;
}
interface Analytics {
  series: Point[];
  totals: Record<string, number>;
  revenue: { byDay: { day: string; gold: number; premium: number; refunds: number }[]; gross: number; net: number };
  funnel: { signups: number; firstConnection: number; firstMessage: number; firstPayment: number };
}
interface Live {
  at: string;
  online: number;
  messagesPerMinute: number;
  matches: { pending: number };
  calls: { ringing: number; connected: number };
  queues: { chat: number; video: number };
}

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const COLORS = { signup: '#2563eb', message: '#16a34a', match: '#d97706', connection: '#9333ea', active: '#dc2626' };

/** Analytics of the last 30 days drawn from /admin/analytics, and the live figures the socket pushes. */
export function Dashboard() {
  const [days, setDays] = useState(30);
  const { data, error } = useLoad(
    () =>
      get<{ analytics: Analytics }>('/admin/analytics', {
        from: isoDay(Date.now() - (days - 1) * DAY),
        to: isoDay(Date.now()),
        granularity: 'day',
      }).then((r) => r.analytics),
    [days],
  );
  const [live, setLive] = useState<Live | null>(null);
  useEffect(() => {
    return listen({ 'admin:live': setLive });
  }, []);
  if (error) return <ErrorText error={error} />;
  const series = data?.series.map((p) => ({ ...p, day: p.at.slice(5, 10) })) ?? [];
  return (
    <div className="dashboard">
      <h2>Live</h2>
      <dl className="counters" data-testid="live-counters" aria-live="polite">
        <div>
          <dt>Online</dt>
          <dd data-testid="live-online">{live?.online ?? '…'}</dd>
        </div>
        <div>
          <dt>Messages a minute</dt>
          <dd>{live?.messagesPerMinute ?? '…'}</dd>
        </div>
        <div>
          <dt>Calls connected</dt>
          <dd>{live?.calls.connected ?? '…'}</dd>
        </div>
        <div>
          <dt>Waiting for a match</dt>
          <dd>{live ? live.queues.chat + live.queues.video : '…'}</dd>
        </div>
      </dl>
      <h2>
        Last{' '}
        <select aria-label="Days shown" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {[7, 30, 90].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>{' '}
        days
      </h2>
      {data && (
        <>
          <table className="totals" data-testid="totals">
            <caption>Totals</caption>
            <tbody>
              {(['signup', 'signin', 'message', 'connection', 'match', 'call', 'post', 'payment'] as const).map((k) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td data-testid={`total-${k}`}>{data.totals[k] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <figure className="chart" data-testid="activity-chart">
            <figcaption>Activity per day</figcaption>
            <ResponsiveContainer width="100%" height={280}>
              <LineChart data={series}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                {(['signup', 'message', 'match', 'connection', 'active'] as const).map((key) => (
                  <Line key={key} type="monotone" dataKey={key} stroke={COLORS[key]} dot={false} isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </figure>
          <figure className="chart" data-testid="revenue-chart">
            <figcaption>Revenue per day (gross {(data.revenue.gross / 100).toFixed(2)})</figcaption>
            <ResponsiveContainer width="100%" height={240}>
              <BarChart data={data.revenue.byDay.map((d) => ({ ...d, gold: d.gold / 100, premium: d.premium / 100 }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" />
                <YAxis />
                <Tooltip />
                <Legend />
                <Bar dataKey="gold" stackId="r" fill="#ca8a04" isAnimationActive={false} />
                <Bar dataKey="premium" stackId="r" fill="#7c3aed" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <p>
            Funnel: {data.funnel.signups} signed up, {data.funnel.firstConnection} connected, {data.funnel.firstMessage} messaged,{' '}
            {data.funnel.firstPayment} paid.
          </p>
        </>
      )}
    </div>
  );
}
