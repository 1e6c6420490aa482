import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../api';

/** Loads on mount and whenever `deps` change (and on reload()), keeping the data and the error message. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  const reload = useCallback(
    () =>
      latest.current().then(
        (d) => {
          setData(d);
          setError(null);
        },
        (err: unknown) => setError(messageOf(err)),
      ),
    [],
  );
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (err: unknown) => live && setError(messageOf(err)),
    );
    return () => {
      live = false;
    };
    // The caller names what its load depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data, setData, error, reload };
}
