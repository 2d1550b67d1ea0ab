import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { estimate, tQuantile975 } from '../../sim/confidence.ts';
import { EventQueue } from '../../sim/event-queue.ts';
import { quantile } from '../../sim/metrics.ts';
import { RandomStream } from '../../sim/random.ts';
import { endOfDay } from '../../sim/scenario.ts';
import { renderPlot } from '../../sim/svg-plot.ts';

describe('RandomStream', () => {
  it('repeats the same numbers for the same seed, replication and name', () => {
    const a = new RandomStream(1, 2, 'arrivals');
    const b = new RandomStream(1, 2, 'arrivals');
    for (let i = 0; i < 100; i++) expect(a.uniform()).toBe(b.uniform());
  });

  it('gives independent-looking streams to different names and replications', () => {
    const base = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new RandomStream(1, 0, 'arrivals')),
    );
    const other = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new RandomStream(1, 0, 'processing')),
    );
    const rep = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new RandomStream(1, 1, 'arrivals')),
    );
    expect(other).not.toEqual(base);
    expect(rep).not.toEqual(base);
  });

  it('draws uniforms strictly inside (0, 1) and lognormals with the asked mean and CV', () => {
    const r = new RandomStream(9, 0, 'x');
    const xs: number[] = [];
    for (let i = 0; i < 40_000; i++) {
      const u = r.uniform();
      expect(u > 0 && u < 1).toBe(true);
      xs.push(r.lognormal(100, 0.3));
    }
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
    expect(m).toBeGreaterThan(99);
    expect(m).toBeLessThan(101);
    expect(sd / m).toBeGreaterThan(0.29);
    expect(sd / m).toBeLessThan(0.31);
  });
});

describe('EventQueue', () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 })])(
    'pops events in time order, equal times in insertion order',
    (times) => {
      const q = new EventQueue<number>();
      times.forEach((t, i) => q.push(t, i));
      const out: [number, number][] = [];
      for (let e = q.pop(); e; e = q.pop()) out.push([e.time, e.event]);
      const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(out).toEqual(expected);
    },
  );

  it('refuses an event at a non-finite time', () => {
    expect(() => new EventQueue<number>().push(NaN, 1)).toThrow();
  });
});

describe('statistics', () => {
  it('computes the t interval of a known sample', () => {
    const e = estimate([1, 2, 3, 4, 5]);
    expect(e.mean).toBe(3);
    expect(e.half).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 9);
    expect(tQuantile975(1000)).toBe(1.96);
  });

  it('takes quantiles like R type 7', () => {
    expect(quantile([0, 10], 0.95)).toBeCloseTo(9.5);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
  });

  it('rounds a promise to the end of its working day', () => {
    expect(endOfDay(1, 480)).toBe(480);
    expect(endOfDay(480, 480)).toBe(480);
    expect(endOfDay(481, 480)).toBe(960);
  });
});

describe('the SVG plot', () => {
  it('draws one marker per point and is well-formed enough to parse as XML-ish text', () => {
    const svg = renderPlot(
      [
        { policy: 'A', load: 0.9, x: { mean: 5, half: 0.2, n: 5 }, y: { mean: 99, half: 0.5, n: 5 } },
        { policy: 'B <x>', load: 0.9, x: { mean: 9, half: 0.3, n: 5 }, y: { mean: 80, half: 2, n: 5 } },
      ],
      'test',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('B &lt;x&gt;');
    expect((svg.match(/<title>/g) ?? []).length).toBe(2);
  });
});

describe('buffer sizing from the routing', () => {
  it('gives a longer rope to work far from the drum and a longer shipping buffer to work after it', async () => {
    const { buffersFromRouting } = await import('../../sim/buffer-sizing.ts');
    const { DEFAULT_PLANT } = await import('../../sim/plant.ts');
    const b = buffersFromRouting(DEFAULT_PLANT);
    // frame: saw and assembly before the drum (up to ~1.4 days of work for the largest order)
    expect(b.get('frame')).toEqual({ productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 4 });
    // housing: assembly and test after the drum
    expect(b.get('housing')).toEqual({ productionBufferDays: 2, shippingBufferDays: 3, standardLeadTimeDays: 4 });
    // shaft starts on the drum: the minimum one-day rope
    expect(b.get('shaft')?.productionBufferDays).toBe(2);
  });
});
