// The named schemas of the OpenAPI document (#/components/schemas/<id>). They sit in zod's global
// registry (where .meta() descriptions live too), and two sets say how each one converts:
// responses as zod's "output" (objects are closed: a field the product adds without documenting
// it fails the contract test), requests as "input" (objects stay open: Oz clients send fields
// nobody reads, and those must not be refused: request objects are loose, their unknown fields
// pass through to the operation as they came).
import { z } from 'zod';

export const RESPONSE_IDS = new Set<string>();
export const REQUEST_IDS = new Set<string>();

function named<T extends z.ZodType>(ids: Set<string>, id: string, schema: T, description?: string): T {
  if (RESPONSE_IDS.has(id) || REQUEST_IDS.has(id)) throw new Error(`schema id ${id} is used twice`);
  ids.add(id);
  return schema.meta({ id, ...(description ? { description } : {}) }) as T;
}

/** A response component. */
export const response = <T extends z.ZodType>(id: string, schema: T, description?: string): T => named(RESPONSE_IDS, id, schema, description);

/** A request component; an object keeps the fields it does not name (unless it says what they are with a catchall). */
export function request<T extends z.ZodType>(id: string, schema: T, description?: string): T extends z.ZodObject<infer S> ? z.ZodObject<S, z.core.$loose> : T;
export function request(id: string, schema: z.ZodType, description?: string): z.ZodType {
  const open = schema instanceof z.ZodObject && schema.def.catchall === undefined ? schema.loose() : schema;
  return named(REQUEST_IDS, id, open, description);
}
