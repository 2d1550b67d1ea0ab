/** Reads a live server-sent event stream over a real socket, message by message (tests only). */

export interface StreamMessage {
  id: string;
  event: string;
  data: { seq: number; type: string; orderId: string | null };
}

export interface OpenStream {
  res: Response;
  messages: StreamMessage[];
  /** Comment lines (heartbeats) seen so far. */
  readonly comments: number;
  /** Reads until a message matches (the test's own timeout bounds the wait). */
  until(match: (m: StreamMessage) => boolean): Promise<StreamMessage>;
  /** The first matching message, 'ended' when the stream closed, or 'quiet' after ms without one. */
  waitFor(match: (m: StreamMessage) => boolean, ms: number): Promise<StreamMessage | 'ended' | 'quiet'>;
  /** Resolves when the server closes the stream. */
  ended(): Promise<true>;
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const messages: StreamMessage[] = [];
  let comments = 0;
  let done = false;
  const pull = async () => {
    const chunk = await reader.read();
    if (chunk.done) {
      done = true;
      return;
    }
    buffer += decoder.decode(chunk.value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (block.startsWith(':')) {
        comments++;
        continue;
      }
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))!
          .slice(name.length + 2);
      messages.push({ id: field('id'), event: field('event'), data: JSON.parse(field('data')) });
    }
  };
  const until = async (match: (m: StreamMessage) => boolean): Promise<StreamMessage> => {
    for (;;) {
      const found = messages.find(match);
      if (found) return found;
      if (done) throw new Error('stream ended');
      await pull();
    }
  };
  return {
    res,
    messages,
    get comments() {
      return comments;
    },
    until,
    async waitFor(match, ms) {
      const deadline = new Promise<'quiet'>((r) => setTimeout(() => r('quiet'), ms));
      const reading = until(match).catch(() => 'ended' as const);
      return Promise.race([reading, deadline]);
    },
    async ended() {
      while (!done) await pull();
      return true;
    },
    close: () => controller.abort(),
  };
}
