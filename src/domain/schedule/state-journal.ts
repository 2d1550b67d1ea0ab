import type { DrumBook, DrumOrder } from '../../engine/index.ts';
import type { PlantState } from './plant-cache.ts';

/**
 * An undo log over one write's changes to the in-memory engine state. Several writes share
 * one database transaction (group commit); when one of them is refused after touching the
 * book, its savepoint is rolled back in the database and this log rolls back the book, so
 * the other writes in the batch are unaffected and no rebuild is needed.
 */
export function journalState(state: PlantState): { undo(): void; stop(): void } {
  const undo: Array<() => void> = [];
  const book = state.book;
  const restoreBook = book ? wrapBook(book, undo) : () => {};
  const expiry = state.holdExpiry;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the journal keeps the originals to restore them (replaced by checkpoint/rollback in write path v2)
  const { set, delete: del } = expiry;
  expiry.set = (id: string, minute: number) => {
    const prev = expiry.get(id);
    undo.push(() => (prev === undefined ? del.call(expiry, id) : set.call(expiry, id, prev)));
    return set.call(expiry, id, minute);
  };
  expiry.delete = (id: string) => {
    const prev = expiry.get(id);
    if (prev !== undefined) undo.push(() => set.call(expiry, id, prev));
    return del.call(expiry, id);
  };
  const stop = () => {
    restoreBook();
    expiry.set = set;
    expiry.delete = del;
  };
  return {
    undo: () => {
      stop();
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
    },
    stop,
  };
}

function wrapBook(book: DrumBook, undo: Array<() => void>) {
  // update() is remove() + insert() internally, so journaling those two covers it.
  const orig = { insert: book.insert.bind(book), remove: book.remove.bind(book) };
  book.insert = (o: DrumOrder) => {
    orig.insert(o);
    undo.push(() => orig.remove(o.id));
  };
  book.remove = (id: string) => {
    const prev = book.get(id);
    const removed = orig.remove(id);
    if (removed && prev) undo.push(() => orig.insert(prev));
    return removed;
  };
  return () => {
    // Own properties shadowed the prototype methods; deleting them restores the originals.
    delete (book as Partial<DrumBook>).insert;
    delete (book as Partial<DrumBook>).remove;
  };
}
