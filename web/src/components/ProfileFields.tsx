import { Field } from './Form';

export const GENDERS = ['male', 'female', 'non-binary', 'other'] as const;
export const PREFERENCES = ['dating', 'friendship'] as const;

/** A labelled choice among the server's allowed values; `anyLabel` adds an empty "any" choice (filters). */
export function ChoiceField(props: {
  label: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  choices: readonly string[];
  anyLabel?: string;
}) {
  return (
    <Field label={props.label}>
      <select value={props.value} onChange={props.onChange}>
        {props.anyLabel !== undefined && <option value="">{props.anyLabel}</option>}
        {props.choices.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </select>
    </Field>
  );
}

/** The profile every account needs (password sign-up and a first social sign-in alike). */
export interface ProfileInput {
  gender: string;
  dateOfBirth: string;
  phone: string;
  username: string;
  preference: string;
  interests: string;
}

export const emptyProfile: ProfileInput = {
  gender: 'female',
  dateOfBirth: '',
  phone: '',
  username: '',
  preference: 'dating',
  interests: '',
};

export const interestsOf = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export function ProfileFields({ value, onChange }: { value: ProfileInput; onChange: (next: ProfileInput) => void }) {
  const set = (key: keyof ProfileInput) => (e: { target: { value: string } }) => onChange({ ...value, [key]: e.target.value });
  return (
    <>
      <Field label="Username">
        <input value={value.username} onChange={set('username')} pattern="[A-Za-z0-9_.]{3,30}" autoComplete="username" required />
      </Field>
      <ChoiceField label="Gender" value={value.gender} onChange={set('gender')} choices={GENDERS} />
      <Field label="Date of birth">
        <input type="date" value={value.dateOfBirth} onChange={set('dateOfBirth')} required />
      </Field>
      <Field label="Phone (international, e.g. +14155550123)">
        <input type="tel" value={value.phone} onChange={set('phone')} pattern="\+[1-9][0-9]{6,14}" autoComplete="tel" required />
      </Field>
      <ChoiceField label="Looking for" value={value.preference} onChange={set('preference')} choices={PREFERENCES} />
      <Field label="Interests (comma-separated)">
        <input value={value.interests} onChange={set('interests')} required />
      </Field>
    </>
  );
}
