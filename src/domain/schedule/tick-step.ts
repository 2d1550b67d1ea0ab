/**
 * How far an overdue release is held back each time (design note §8.2, Δ): unreleased work
 * that should already have started is planned to start no earlier than now + this, so an
 * order that stays unreleased moves about twice an hour (one event each time), not every
 * minute, and its plan never starts in the past between two ticks. The tick gives an order
 * at risk the same room (D̂ = its projected finish + Δ), and lowers D̂ only when its finish
 * came earlier than that, so whether a tick is due is judged with the same Δ.
 */
export const TICK_STEP_MINUTES = 30;
