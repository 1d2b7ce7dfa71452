// What the storage ports share.

/** A write refused because it would break a uniqueness or reference rule (an email taken, a person an analysis found). */
export class ConflictError extends Error {}

export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * A key that sorts by time, then id: zero-padded epoch seconds with microseconds ("<time>#<id>").
 * The change-log keys of collections and the retention job's folder cursors have this form.
 */
export const timeKey = (t: number, id: string) => `${t.toFixed(6).padStart(20, '0')}#${id}`;
