/** Splits a routing into upstream ops, the merged drum op and downstream ops (§3.1). */
export interface SplitRoute<T> {
  up: T[];
  drum: T[];
  down: T[];
  /** Sum of the drum ops' minutes. */
  drumMinutes: number;
}

/**
 * RangeError when the routing has no drum op, when its drum ops are not consecutive, or
 * when an op's resource is not in `known`, or its minutes are not an integer ≥ 0.
 */
export function splitRoute<T extends { resource: string; minutes: number }>(
  ops: readonly T[],
  drumId: string,
  known: { has(resource: string): boolean },
): SplitRoute<T> {
  const up: T[] = [];
  const drum: T[] = [];
  const down: T[] = [];
  let drumMinutes = 0;
  for (const op of ops) {
    if (!known.has(op.resource)) throw new RangeError(`resource ${op.resource} has no working time`);
    if (!Number.isInteger(op.minutes) || op.minutes < 0) throw new RangeError(`op minutes must be an integer ≥ 0, got ${op.minutes}`);
    if (op.resource === drumId) {
      if (down.length > 0) throw new RangeError("the routing's drum operations are not consecutive");
      drum.push(op);
      drumMinutes += op.minutes;
    } else (drum.length === 0 ? up : down).push(op);
  }
  if (drum.length === 0) throw new RangeError(`the routing has no operation on the drum ${drumId}`);
  return { up, drum, down, drumMinutes };
}
