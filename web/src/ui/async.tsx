import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api.ts';

/** Loads data, reloads on demand; keeps the last good value while reloading (no flicker on live updates). */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    load().then(
      (v) => {
        if (mine === generation.current) {
          setValue(v);
          setError(null);
        }
      },
      (e: unknown) => {
        if (mine === generation.current) setError(describeError(e));
      },
    );
  }, deps);
  useEffect(reload, [reload]);
  return { value, error, reload };
}

export function ErrorText({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

/** A placeholder while data loads; nothing once the load failed (the error says why). */
export function Loading({ children, failed }: { children?: ComponentChildren; failed?: boolean }) {
  if (failed) return null;
  return <p class="muted">{children ?? 'Loading…'}</p>;
}
