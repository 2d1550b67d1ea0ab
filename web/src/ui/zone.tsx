// A buffer zone is told by its word and its symbol as well as its colour (readable without colour).
export type Zone = 'green' | 'yellow' | 'red' | 'black';

const SYMBOL: Record<Zone, string> = { green: '○', yellow: '◐', red: '●', black: '■' };

export function ZoneBadge({ zone }: { zone: Zone }) {
  return (
    <span class={`zone zone-${zone}`}>
      <span aria-hidden="true">{SYMBOL[zone]}</span> {zone.toUpperCase()}
    </span>
  );
}

export const ZONES: readonly Zone[] = ['black', 'red', 'yellow', 'green'];
