import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a CLI's arguments strictly: an unknown flag or a stray argument prints the error and
 * the usage on stderr and exits 2, instead of a stack trace or a silent success.
 */
export function parseCli<O extends Options>(usage: string, options: O, allowPositionals = false, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    process.exit(2);
  }
}
