import { minutes } from '../ui/format.ts';

interface Proposal {
  resource: string;
  totalMinutes: number;
  totalCost?: number;
  currency?: string;
  earliestPromiseDate?: string;
  blocks: { kind: string; date: string; start: string; end: string }[];
}

const price = (p: Proposal) => (p.totalCost !== undefined ? `${p.totalCost.toFixed(2)} ${p.currency ?? ''}`.trim() : 'no price');

/** Priced capacity proposals: what extra time on which resource would buy the date. */
export function ProposalList({ proposals, action }: { proposals: Proposal[]; action?: (index: number) => void }) {
  return (
    <ol class="proposals">
      {proposals.map((p, i) => (
        <li key={i}>
          <strong>{p.resource}</strong>: {minutes(p.totalMinutes)}, {price(p)}
          {p.earliestPromiseDate ? ` → ${p.earliestPromiseDate}` : ''}
          <span class="muted small"> ({p.blocks.map((b) => `${b.kind.replace('_', ' ')} ${b.date} ${b.start}–${b.end}`).join('; ')})</span>
          {action && (
            <>
              {' '}
              <button type="button" onClick={() => action(i)}>
                Accept proposal {i + 1}
              </button>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}
