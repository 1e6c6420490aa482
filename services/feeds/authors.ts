import { photoView } from '../people/photo.service.js';
import { usersById } from '../people/user.service.js';

/**
 * Who wrote each post of a feed page, so a client can show a name and a face without one
 * profile request per post: one indexed read per distinct author of the page.
 */
export async function withAuthors<T extends { authorId: string }>(page: { items: T[]; nextCursor: string | null }) {
  const authors = await usersById([...new Set(page.items.map((item) => item.authorId))]);
  const items = page.items.map((item) => {
    const a = authors.get(item.authorId);
    const author = a
      ? { id: item.authorId, username: a.username, firstName: a.firstName, avatar: a.avatar ? photoView(a.avatar) : null }
      : null;
    return { ...item, author };
  });
  return { ...page, items };
}
