import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../helpers/service-process.ts';

interface OtlpValue {
  stringValue?: string;
}
interface OtlpSpan {
  name: string;
  attributes: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A stand-in OpenTelemetry collector: keeps every OTLP/HTTP JSON trace export it receives. */
async function startCollector() {
  const exports: OtlpExport[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => {
      if (req.url === '/v1/traces') exports.push(JSON.parse(body) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, exports, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// The service as an operator runs it: only environment variables, then SIGTERM. The SDK's
// batch processor holds spans for seconds; they reach the collector only if the stop flushes.
describe('the service process with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let dataDir: string | undefined;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('exports its request spans over OTLP/HTTP under its service name, flushed by a graceful stop', async () => {
    const collector = await startCollector();
    dataDir = await mkdtemp(join(tmpdir(), 'drumbeat-otel-'));
    try {
      const service = await startServiceProcess({
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'drumbeat-otel-test',
      });
      const res = await fetch(`${service.url}/v1/plants`);
      expect(res.status).toBe(401);
      expect(collector.exports).toEqual([]);
      await service.stop();
      expect(service.child.exitCode).toBe(0);

      const resources = collector.exports.flatMap((e) => e.resourceSpans);
      const serviceNames = resources.flatMap((r) => r.resource.attributes.filter((a) => a.key === 'service.name'));
      expect(new Set(serviceNames.map((a) => a.value.stringValue))).toEqual(new Set(['drumbeat-otel-test']));
      const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      const paths = spans.flatMap((s) => s.attributes.filter((a) => a.key === 'url.path' || a.key === 'http.target'));
      expect(paths.map((a) => a.value.stringValue)).toContain('/v1/plants');
      // The readiness polls of the start-up above are probes: not traced.
      expect(JSON.stringify(collector.exports)).not.toContain('/readyz');
    } finally {
      await collector.close();
    }
  }, 90_000);
});
