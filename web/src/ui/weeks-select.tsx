/** The "Weeks" field of a screen that shows a span of weeks (KPIs, timeline): one of `choices`. */
export function WeeksSelect({
  weeks,
  choices,
  onChange,
}: {
  weeks: number;
  choices: readonly number[];
  onChange: (weeks: number) => void;
}) {
  return (
    <label>
      Weeks
      <select value={String(weeks)} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {choices.map((w) => (
          <option key={w} value={String(w)}>
            {w}
          </option>
        ))}
      </select>
    </label>
  );
}
