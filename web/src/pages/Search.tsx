import { useState } from 'react';
import { get } from '../api';
import { ErrorText, Field, useAction } from '../components/Form';
import { ChoiceField, GENDERS, interestsOf, PREFERENCES } from '../components/ProfileFields';
import { UserCard, type UserCardView } from '../components/UserCard';

type Page = { users: UserCardView[]; nextCursor: string | null };

/** Search by name and filters; results page by the server's cursor. */
export function Search() {
  const [filters, setFilters] = useState({
    q: '',
    interests: '',
    gender: '',
    preference: '',
    minAge: '',
    maxAge: '',
    maxDistanceKm: '',
  });
  const [results, setResults] = useState<UserCardView[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const action = useAction();
  const set = (key: keyof typeof filters) => (e: { target: { value: string } }) =>
    setFilters({ ...filters, [key]: e.target.value });
  const query = () => ({ ...filters, interests: interestsOf(filters.interests).join(',') });
  const search = action.onSubmit(async () => {
    const page = await get<Page>('/users/search', query());
    setResults(page.users);
    setCursor(page.nextCursor);
  });
  const more = () =>
    action.run(async () => {
      const page = await get<Page>('/users/search', { ...query(), cursor });
      setResults((r) => [...(r ?? []), ...page.users]);
      setCursor(page.nextCursor);
    });
  return (
    <section>
      <h1>Search</h1>
      <form onSubmit={search} className="filters">
        <Field label="Name or username">
          <input type="search" value={filters.q} onChange={set('q')} />
        </Field>
        <Field label="Interests (comma-separated)">
          <input value={filters.interests} onChange={set('interests')} />
        </Field>
        <ChoiceField label="Gender" value={filters.gender} onChange={set('gender')} choices={GENDERS} anyLabel="any" />
        <ChoiceField
          label="Looking for"
          value={filters.preference}
          onChange={set('preference')}
          choices={PREFERENCES}
          anyLabel="any"
        />
        <Field label="Minimum age">
          <input type="number" min={18} max={120} value={filters.minAge} onChange={set('minAge')} />
        </Field>
        <Field label="Maximum age">
          <input type="number" min={18} max={120} value={filters.maxAge} onChange={set('maxAge')} />
        </Field>
        <Field label="Within (km)">
          <select value={filters.maxDistanceKm} onChange={set('maxDistanceKm')}>
            <option value="">any distance</option>
            {[5, 10, 25, 50, 100, 250, 500].map((km) => (
              <option key={km} value={km}>
                {km} km
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={action.busy}>
          Search
        </button>
      </form>
      <ErrorText error={action.error} />
      {results?.length === 0 && <p>No one matches.</p>}
      <div className="grid">
        {results?.map((user) => (
          <UserCard key={user.id} user={user} />
        ))}
      </div>
      {cursor && (
        <button type="button" onClick={() => void more()}>
          More results
        </button>
      )}
    </section>
  );
}
