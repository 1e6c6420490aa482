import { useState, type FormEvent, type ReactNode } from 'react';
import { messageOf } from '../api';

/** A labelled input: the label wraps it, so screen readers and getByLabel find it. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** An error announced to assistive technology. */
export function ErrorText({ error }: { error: string | null }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

/** Runs an async action, with a busy flag (to disable its button) and its error message for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (action: () => Promise<unknown>) => (event: FormEvent) => {
    event.preventDefault();
    void run(action);
  };
  return { busy, error, setError, run, onSubmit };
}
