import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { planner, reserveIn, setUpPlant, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// The write batch's span (what an operator reads in a trace): its plant, its size, the
// version it committed, and an error status when the batch failed. A tracer provider of
// this file's own, in memory (test/integration/tracing.test.ts covers the SDK as the service starts it).

// One provider for the file: the writer's tracer (a proxy taken at import) keeps the first
// delegate it is given.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

describe.each(writerKinds())('write batch spans on %s', (kind) => {
  const h = useWriter(kind, (harness) => setUpPlant(harness, 'traced'));
  const batches = () => exporter.getFinishedSpans().filter((s) => s.name === 'drumbeat.write_batch');

  it('a committed batch: its plant, its size and the version it committed', async () => {
    exporter.reset();
    const release = h.writer.hold('traced');
    const writes = [1, 2].map((q) => h.writer.write('traced', planner, (ctx) => reserveIn(ctx, { quantity: q })));
    release();
    const outs = await Promise.all(writes);
    const spans = batches();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({
      'drumbeat.plant': 'traced',
      'drumbeat.batch.size': 2,
      'drumbeat.schedule.version': outs[1]!.version,
    });
    expect(spans[0]!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('a failed batch: an error status with the message', async () => {
    exporter.reset();
    await expect(h.writer.write('nowhere', planner, async () => 1)).rejects.toBeInstanceOf(DomainError);
    await expect(
      h.writer.write('traced', planner, async () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what the span says of a thrown value that is no Error
        throw 'not an Error';
      }),
    ).rejects.toBe('not an Error');
    const spans = batches();
    expect(spans.map((s) => s.status)).toEqual([
      { code: SpanStatusCode.ERROR, message: 'Plant "nowhere" does not exist.' },
      { code: SpanStatusCode.ERROR, message: 'not an Error' },
    ]);
    expect(spans[0]!.attributes).toEqual({ 'drumbeat.plant': 'nowhere', 'drumbeat.batch.size': 1 });
  });
});
