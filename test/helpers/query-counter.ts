import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/** A Kysely plugin that counts the queries sent, optionally only those naming a table. */
export class QueryCounter implements KyselyPlugin {
  count = 0;
  constructor(private readonly table?: string) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (!this.table || JSON.stringify(args.node).includes(`"${this.table}"`)) this.count += 1;
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
