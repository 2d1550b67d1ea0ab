import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  /** Largest quantity accepted on one order line; protects the drum from absurd loads. */
  MAX_ORDER_QUANTITY: z.coerce.number().int().positive().default(1_000_000),
  /** Interval of the background sweep that expires holds (expiry is also checked on every schedule access). */
  HOLD_SWEEP_SECONDS: z.coerce.number().positive().default(15),
  /**
   * Days from today that every date the API accepts may lie (either way), and how far every
   * engine search looks for capacity. Default about five years.
   */
  PLANNING_HORIZON_DAYS: z.coerce.number().int().min(30).max(3660).default(1826),
  /** Public base URL used in the docs' server list. */
  PUBLIC_URL: z.string().url().optional(),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Parses the environment once; the message names the first bad variable in one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
