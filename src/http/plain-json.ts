/**
 * A response serializer that skips zod's re-validation of the response: for routes whose
 * answers are built by typed code and either hot (the quote) or long lists (a schedule
 * page, the release list, the buffer board), where validating each item costs ~15–40 µs
 * and would block the event loop for seconds at 100k orders. The zod schema still
 * documents the response in OpenAPI.
 */
export const plainJson = () => (data: unknown) => JSON.stringify(data);

/** Quote and hold bodies are a few hundred bytes: a small limit makes an oversized one a cheap 413. */
export const SMALL_BODY_LIMIT = 16 * 1024;
