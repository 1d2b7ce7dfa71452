// The named schemas of the OpenAPI document (#/components/schemas/<id>). They sit in zod's global
// registry (where .meta() descriptions live too), and two sets say how each one converts:
// responses as zod's "output" (objects are closed: a field the product adds without documenting
// it fails the contract test), requests as "input" (objects stay open: Oz clients send fields
// nobody reads, and those must not be refused).
import type { z } from 'zod';

export const RESPONSE_IDS = new Set<string>();
export const REQUEST_IDS = new Set<string>();

function named<T extends z.ZodType>(ids: Set<string>, id: string, schema: T, description?: string): T {
  if (RESPONSE_IDS.has(id) || REQUEST_IDS.has(id)) throw new Error(`schema id ${id} is used twice`);
  ids.add(id);
  return schema.meta({ id, ...(description ? { description } : {}) }) as T;
}

/** A response component. */
export const response = <T extends z.ZodType>(id: string, schema: T, description?: string): T => named(RESPONSE_IDS, id, schema, description);

/** A request component. */
export const request = <T extends z.ZodType>(id: string, schema: T, description?: string): T => named(REQUEST_IDS, id, schema, description);

/** Documented with this schema, never refused for it: the core ignores a wrong value here. */
export const tolerated = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
