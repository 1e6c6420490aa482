import { useState } from 'react';
import { del, patch } from '../api';
import { ErrorText, Field, useAction } from '../components/Form';
import { ChoiceField, GENDERS, interestsOf, PREFERENCES } from '../components/ProfileFields';
import { uploadProfilePhoto } from '../lib/upload';
import { useMe, useSession, type Me, type Photo } from '../session';

interface Privacy {
  showAge: boolean;
  showDistance: boolean;
  readReceipts: boolean;
  discoverable: boolean;
}
const PRIVACY_LABELS: Record<keyof Privacy, string> = {
  showAge: 'Show my age',
  showDistance: 'Show my distance',
  readReceipts: 'Send read receipts',
  discoverable: 'Show me in discover and search',
};

export function Profile() {
  const me = useMe();
  const { setMe } = useSession();
  const [form, setForm] = useState({
    firstName: me.firstName,
    lastName: me.lastName,
    bio: String(me.bio ?? ''),
    gender: String(me.gender),
    preference: String(me.preference),
    interests: ((me.interests as string[]) ?? []).join(', '),
  });
  const stored = (me.settings as { privacy?: Partial<Privacy> } | undefined)?.privacy ?? {};
  const [privacy, setPrivacy] = useState<Privacy>({
    showAge: true,
    showDistance: true,
    readReceipts: true,
    discoverable: true,
    ...stored,
  });
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const photos = useAction();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = save.onSubmit(async () => {
    setSaved(false);
    const body = { ...form, interests: interestsOf(form.interests), settings: { privacy } };
    setMe((await patch<{ user: Me }>('/users/me', body)).user);
    setSaved(true);
  });
  const applyPhotos = (next: { avatar: Photo | null; gallery: Photo[] }) =>
    setMe({ ...me, avatar: next.avatar, gallery: next.gallery });
  const upload = (target: 'avatar' | 'gallery') => (e: { target: HTMLInputElement }) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file)
      void photos.run(async () =>
        applyPhotos((await uploadProfilePhoto<{ photos: Parameters<typeof applyPhotos>[0] }>(file, target)).photos),
      );
  };
  const remove = (id: string) =>
    photos.run(async () =>
      applyPhotos((await del<{ photos: Parameters<typeof applyPhotos>[0] }>(`/users/me/photos/${id}`)).photos),
    );

  return (
    <section>
      <h1>Your profile</h1>
      <h2>Photos</h2>
      <div className="photos">
        <figure>
          {me.avatar ? (
            <img src={me.avatar.urls.card} alt="Your profile photo" data-testid="avatar" />
          ) : (
            <div className="placeholder">No photo</div>
          )}
          <figcaption>Profile photo</figcaption>
        </figure>
        {me.gallery.map((photo, i) => (
          <figure key={photo.id}>
            <img src={photo.urls.thumb} alt={`Gallery photo ${i + 1}`} />
            <button type="button" onClick={() => void remove(photo.id)}>
              Remove photo {i + 1}
            </button>
          </figure>
        ))}
      </div>
      <Field label="Upload a profile photo">
        <input type="file" accept="image/jpeg,image/png,image/webp" onChange={upload('avatar')} disabled={photos.busy} />
      </Field>
      <Field label="Add a gallery photo">
        <input type="file" accept="image/jpeg,image/png,image/webp" onChange={upload('gallery')} disabled={photos.busy} />
      </Field>
      {photos.busy && <p role="status">Uploading…</p>}
      <ErrorText error={photos.error} />

      <h2>About you</h2>
      <form onSubmit={submit}>
        <Field label="First name">
          <input value={form.firstName} onChange={set('firstName')} required />
        </Field>
        <Field label="Last name">
          <input value={form.lastName} onChange={set('lastName')} required />
        </Field>
        <Field label="Bio">
          <textarea value={form.bio} onChange={set('bio')} maxLength={500} />
        </Field>
        <ChoiceField label="Gender" value={form.gender} onChange={set('gender')} choices={GENDERS} />
        <ChoiceField label="Looking for" value={form.preference} onChange={set('preference')} choices={PREFERENCES} />
        <Field label="Interests (comma-separated)">
          <input value={form.interests} onChange={set('interests')} />
        </Field>
        <fieldset>
          <legend>Privacy</legend>
          {(Object.keys(PRIVACY_LABELS) as (keyof Privacy)[]).map((key) => (
            <label key={key} className="check">
              <input
                type="checkbox"
                checked={privacy[key]}
                onChange={(e) => setPrivacy({ ...privacy, [key]: e.target.checked })}
              />
              {PRIVACY_LABELS[key]}
            </label>
          ))}
        </fieldset>
        <ErrorText error={save.error} />
        {saved && <p role="status">Saved.</p>}
        <button type="submit" disabled={save.busy}>
          Save profile
        </button>
      </form>
    </section>
  );
}
