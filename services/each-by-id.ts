import type { Types } from 'mongoose';

type Page<T> = (filter: { _id?: { $gt: Types.ObjectId } }, size: number) => Promise<T[]>;

/**
 * Visits every document a page at a time in _id order (`readPage` sorts by _id and takes
 * `size`), one after another: for backfills and repairs that must not hold a whole
 * collection, nor run a large bulk write (FerretDB stalls on those).
 */
export async function eachById<T extends { _id: Types.ObjectId }>(
  readPage: Page<T>,
  visit: (doc: T) => Promise<void>,
  size = 200,
): Promise<void> {
  let after: Types.ObjectId | undefined;
  for (;;) {
    const page = await readPage(after ? { _id: { $gt: after } } : {}, size);
    for (const doc of page) await visit(doc);
    if (page.length < size) return;
    after = page.at(-1)!._id;
  }
}
