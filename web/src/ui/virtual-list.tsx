import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

// Renders only the rows in view (10k open orders stay one scroll, not 10k DOM nodes). Rows have
// one fixed height, which keeps the arithmetic exact and the scroll bar honest.
export function VirtualList<T>(props: {
  items: readonly T[];
  rowHeight: number;
  height: number;
  label: string;
  render: (item: T, index: number) => ComponentChildren;
  itemKey: (item: T) => string;
  /** Called when the rows in view reach the end of `items` (fetch the next page). */
  onNearEnd?: () => void;
}) {
  const { items, rowHeight, height, render, itemKey, onNearEnd } = props;
  const [top, setTop] = useState(0);
  const overscan = 6;
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + overscan);
  const visible = items.slice(first, last);
  useEffect(() => {
    if (onNearEnd && last >= items.length) onNearEnd();
  }, [last, items.length, onNearEnd]);
  return (
    <div
      class="vlist"
      role="list"
      aria-label={props.label}
      // Focusable: a keyboard scrolls the list (it has no focusable rows of its own on the board).
      tabIndex={0}
      style={{ height: `${Math.min(height, items.length * rowHeight + 2)}px` }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
    >
      <div style={{ height: `${items.length * rowHeight}px`, position: 'relative' }}>
        {visible.map((item, i) => (
          <div role="listitem" key={itemKey(item)} class="vrow" style={{ top: `${(first + i) * rowHeight}px`, height: `${rowHeight}px` }}>
            {render(item, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
