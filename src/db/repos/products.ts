import type { Insertable, Updateable } from 'kysely';
import type { DbOrTx, ProductOperationsTable, ProductsTable } from '../database.ts';

export async function findProduct(db: DbOrTx, plantId: string, sku: string) {
  return db.selectFrom('products').selectAll().where('plant_id', '=', plantId).where('sku', '=', sku).executeTakeFirst();
}

/** A plant's products by sku. */
export async function listProductRows(db: DbOrTx, plantId: string) {
  return db.selectFrom('products').selectAll().where('plant_id', '=', plantId).orderBy('sku').execute();
}

/** Routing operations of a plant (of one product when `sku` is given), by sku and position. */
export async function listOperations(db: DbOrTx, plantId: string, sku?: string) {
  let q = db.selectFrom('product_operations').selectAll().where('plant_id', '=', plantId);
  if (sku !== undefined) q = q.where('sku', '=', sku);
  return q.orderBy('sku').orderBy('position').execute();
}

export async function insertProduct(tx: DbOrTx, values: Insertable<ProductsTable>) {
  await tx.insertInto('products').values(values).execute();
}

export async function updateProduct(tx: DbOrTx, plantId: string, sku: string, values: Updateable<ProductsTable>) {
  await tx.updateTable('products').set(values).where('plant_id', '=', plantId).where('sku', '=', sku).execute();
}

export async function deleteOperations(tx: DbOrTx, plantId: string, sku: string) {
  await tx.deleteFrom('product_operations').where('plant_id', '=', plantId).where('sku', '=', sku).execute();
}

export async function insertOperations(tx: DbOrTx, rows: Insertable<ProductOperationsTable>[]) {
  await tx.insertInto('product_operations').values(rows).execute();
}
