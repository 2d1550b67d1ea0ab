import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../domain/actor.ts';
import { DomainError } from '../../domain/errors.ts';
import { streamCursor, streamEvents, streamStillAllowed } from '../../domain/event-stream.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { sessionCookie } from '../plugins/auth.ts';
import type { RouteDeps } from '../route-deps.ts';
import { drained, sendChunk as send } from '../sse-backpressure.ts';

/** A comment line this often keeps proxies and browsers from timing the stream out. */
const HEARTBEAT_MS = 15_000;
/** How stale the key check of a Bearer stream may be when it sends events (a web session's is checked every time: a sign-out ends it at once). */
const RECHECK_MS = 1_000;
/** Without change notifications (or while they are down) the stream polls this often instead. */
const FALLBACK_POLL_MS = 1_000;
/** Open streams one API key may hold in this process (a browser opens one per board tab). */
const MAX_STREAMS_PER_KEY = 5;
/** Events read per query while catching up. */
const PAGE = 200;
/** How long a stream waits for a client that stopped reading (its socket buffer full) before it ends the stream. */
const DRAIN_TIMEOUT_MS = 30_000;

const StreamQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional().meta({
    description:
      'Start after this event sequence number (default: the last event now, i.e. only new events). `Last-Event-ID` wins when sent.',
  }),
});
const LastEventId = z
  .string()
  .regex(/^[0-9]{1,15}$/, 'An event sequence number')
  .transform(Number);

const STREAM_DESCRIPTION = [
  'Server-sent events (`text/event-stream`) of the plant’s event feed, pushed within about a second of a commit in any process:',
  'one message per event, `id: <seq>`, `event: <type>`, `data: <the event as in GET …/events>`, and a `: heartbeat` comment every 15 s.',
  'Visibility as the polled feeds: planners and ERP keys get every event (GET …/events); other roles the events of the orders they may act on (GET /v1/me/events; a salesperson: its own), without the `capacity-request.*` steps for roles that may not read capacity requests (the floor).',
  'A reconnecting client sends `Last-Event-ID` and misses nothing. At most 5 open streams per API key and process (then 429).',
  'A client that stops reading is sent nothing more until it reads again, and is disconnected after 30 s of that (it resumes with `Last-Event-ID`).',
].join(' ');

export const eventStreamRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  const openByKey = new Map<string, number>();
  const giveBackSlot = (keyId: string) => {
    const left = (openByKey.get(keyId) ?? 1) - 1;
    if (left > 0) openByKey.set(keyId, left);
    else openByKey.delete(keyId);
  };
  /** Every open stream's end function, with its key. */
  const open = new Map<() => void, string>();
  // Long-lived responses would hold app.close() open for ever: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...open.keys()]) end();
  });
  // A revoked key's streams end as soon as the revocation is announced.
  promising.feed?.watchKeys({
    revoked: (keyId) => {
      for (const [end, key] of [...open]) if (key === keyId) end();
    },
    lost: () => {},
  });

  app.get(
    '/v1/plants/:plant/events/stream',
    {
      config: { roles: ['admin', 'planner', 'sales', 'erp', 'floor'] },
      // A HEAD would open a stream with no body that never ends.
      exposeHeadRoute: false,
      schema: {
        operationId: 'streamEvents',
        tags: ['schedule'],
        summary: 'Live event feed (server-sent events)',
        description: STREAM_DESCRIPTION,
        params: PlantParams,
        querystring: StreamQuery,
        headers: z.looseObject({
          'last-event-id': z
            .string()
            .max(20)
            .regex(/^\d+$/)
            .optional()
            .meta({ description: 'The `id` of the last message received (sent by EventSource on reconnect).' }),
        }),
        response: {
          200: {
            description: 'An event stream that stays open.',
            content: {
              'text/event-stream': {
                schema: z.string().meta({
                  description: 'Messages `id: <seq>\\nevent: <type>\\ndata: <event JSON>\\n\\n`, and `: heartbeat` comments.',
                  example: 'id: 42\nevent: order.confirmed\ndata: {"seq":42,"type":"order.confirmed"}\n\n',
                }),
              },
            },
          },
          ...errorResponses(404, 429),
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      let resumeAfter = request.query.after;
      if (typeof header === 'string' && header !== '') {
        const parsed = LastEventId.safeParse(header);
        if (!parsed.success)
          throw new DomainError('validation-error', 'Last-Event-ID must be an event sequence number.', {}, [
            { field: 'headers.last-event-id', message: parsed.error.issues[0]!.message },
          ]);
        resumeAfter = parsed.data;
      }
      const { plant } = request.params;
      const actor: Actor = request.actor;
      if ((openByKey.get(actor.keyId) ?? 0) >= MAX_STREAMS_PER_KEY) {
        throw new DomainError(
          'rate-limited',
          `This API key has ${MAX_STREAMS_PER_KEY} event streams open in this process already; close one first.`,
        );
      }
      // The slot is taken before the first await, so streams opened together cannot all pass the check.
      openByKey.set(actor.keyId, (openByKey.get(actor.keyId) ?? 0) + 1);
      let cursor: number;
      try {
        cursor = await streamCursor(promising, plant, resumeAfter);
      } catch (e) {
        giveBackSlot(actor.keyId);
        throw e;
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Proxies (nginx) must pass each message on at once, not buffer the stream.
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        'x-request-id': request.id,
      });
      send(res, ': connected\n\n');

      const token = request.sessionExpiresAt === null ? undefined : sessionCookie(request.headers.cookie);
      const session = token === undefined || request.sessionExpiresAt === null ? null : { token, expiresAt: request.sessionExpiresAt };
      // Signed out (in any process): no event goes out on a web session's stream after it; revoked:
      // none on a Bearer stream checked more than a second ago.
      const recheckMs = session === null ? RECHECK_MS : -1;
      let checkedAt = Date.now();
      const allowed = async () => {
        checkedAt = Date.now();
        return streamStillAllowed(promising, actor, session);
      };

      let closed = false;
      let pumping = false;
      let again = false;
      const pump = async () => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          do {
            again = false;
            for (;;) {
              const page = await streamEvents(promising, actor, plant, cursor, PAGE);
              if (closed) return;
              if (page.items.length > 0 && Date.now() - checkedAt > recheckMs && !(await allowed())) return end();
              if (closed) return;
              for (const e of page.items) send(res, `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
              const before = cursor;
              cursor = page.lastSeq;
              // The next page waits until the client has read this one (see sse-backpressure.ts).
              if (!(await drained(res, DRAIN_TIMEOUT_MS))) return end();
              if (cursor === before) break;
            }
          } while (again && !closed);
        } catch (err) {
          // The client reconnects with Last-Event-ID and resumes where this stream stopped.
          request.log.warn({ err }, 'event stream ended by a failed read');
          end();
        } finally {
          pumping = false;
        }
      };

      const feed = promising.feed;
      const unwatch = feed?.watchPlants((changed) => {
        if (changed === plant) void pump();
      });
      const heartbeat = setInterval(() => {
        void (async () => {
          try {
            if (!(await allowed())) return end();
          } catch (err) {
            request.log.warn({ err }, 'event stream ended by a failed read');
            return end();
          }
          if (!res.writableNeedDrain) send(res, ': heartbeat\n\n');
          await pump();
        })();
      }, HEARTBEAT_MS);
      const fallback = setInterval(() => {
        if (!feed?.isHealthy()) void pump();
      }, FALLBACK_POLL_MS);
      const end = () => {
        if (closed) return;
        closed = true;
        unwatch?.();
        clearInterval(heartbeat);
        clearInterval(fallback);
        open.delete(end);
        giveBackSlot(actor.keyId);
        if (!res.writableEnded) res.end();
      };
      open.set(end, actor.keyId);
      res.on('close', end);
      // Events committed between the cursor read and the subscription are sent now.
      await pump();
    },
  );
};
