import { useCallback, useMemo, useRef, useState } from 'preact/hooks';

/** A page of a list the server pages by offset (buffer board, release list). */
interface Page<T> {
  items: T[];
  nextOffset: number | null;
  scheduleVersion: number;
}

/**
 * The first page (loaded with the screen) plus the pages fetched as the list scrolls near its
 * end (`more`). A reload of the first page (live updates) starts again from it. A page of a
 * newer schedule version does not fit the ones shown: `onStale` reloads from the top instead.
 */
export function usePages<T>(first: Page<T> | undefined, fetchPage: (offset: number) => Promise<Page<T>>, onStale: () => void) {
  const [extra, setExtra] = useState<{ base: Page<T>; items: T[]; nextOffset: number | null } | null>(null);
  const busy = useRef(false);
  const current = extra && extra.base === first ? extra : null;
  const items = useMemo(() => (first ? (current ? first.items.concat(current.items) : first.items) : []), [first, current]);
  const nextOffset = current ? current.nextOffset : (first?.nextOffset ?? null);
  const more = useCallback(() => {
    if (!first || nextOffset === null || busy.current) return;
    busy.current = true;
    fetchPage(nextOffset).then(
      (page) => {
        busy.current = false;
        if (page.scheduleVersion !== first.scheduleVersion) return onStale();
        setExtra((prev) => ({
          base: first,
          items: (prev && prev.base === first ? prev.items : []).concat(page.items),
          nextOffset: page.nextOffset,
        }));
      },
      () => {
        // The next scroll tries again.
        busy.current = false;
      },
    );
  }, [first, nextOffset]);
  return { items, more };
}
