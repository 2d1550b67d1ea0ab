import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { guardedLookup, isRefusedLiteral } from './target-guard.ts';

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface SignedMessage {
  /** webhook-id: the event's id, the same on every attempt, so receivers dedupe by it. */
  id: string;
  body: string;
  secret: string;
}

const MAX_ERROR_LENGTH = 500;
const USER_AGENT = 'Drumbeat-Webhooks/1';

/**
 * One attempt: POST the body signed the Standard Webhooks way (webhook-id, webhook-timestamp,
 * webhook-signature). A 2xx is success; anything else, a redirect (never followed: it could
 * lead anywhere), a timeout or a refused address is a failure. The timestamp is the time of
 * sending by this machine's clock: receivers compare it with theirs to refuse stale replays.
 */
export async function sendSigned(
  url: string,
  msg: SignedMessage,
  opts: { timeoutMs: number; allowHosts: readonly string[]; signal: AbortSignal },
): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  const target = new URL(url);
  // Node connects to an address literal without a lookup, so guardedLookup would not see it.
  if (isRefusedLiteral(target.hostname, opts.allowHosts)) {
    return done({ ok: false, statusCode: null, error: `${target.hostname} is a refused address` });
  }
  const sentAt = new Date();
  const signature = new Webhook(msg.secret).sign(msg.id, sentAt, msg.body);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(msg.body),
          'user-agent': USER_AGENT,
          'webhook-id': msg.id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        lookup: guardedLookup(opts.allowHosts),
        timeout: opts.timeoutMs,
        signal: opts.signal,
      },
      (res) => {
        // The body is not needed, only drained so the socket is freed.
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve(done({ ok, statusCode: status, error: ok ? null : `HTTP ${status}` }));
        });
        res.on('error', (e) =>
          resolve(done({ ok: false, statusCode: res.statusCode ?? null, error: e.message.slice(0, MAX_ERROR_LENGTH) })),
        );
      },
    );
    // A whole-attempt deadline: `timeout` alone only bounds idle gaps between packets.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (e) => resolve(done({ ok: false, statusCode: null, error: e.message.slice(0, MAX_ERROR_LENGTH) })));
    req.on('close', () => clearTimeout(deadline));
    req.end(msg.body);
  });
}
