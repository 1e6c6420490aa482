import { User } from '../../models/user.model.js';
import { photoView } from '../people/photo.service.js';
import { inGoodStanding } from '../people/standing.js';

type AuthorSource = { _id: unknown; username: string; firstName: string; avatar?: Parameters<typeof photoView>[0] | null };

/**
 * Who wrote each post of a feed page, so a client can show a name and a face without one
 * profile request per post: one indexed read per distinct author of the page. Posts of
 * authors no longer in good standing (banned, suspended, deleted) leave the page, as their
 * comments do, rather than showing with a hole where the name was.
 */
export async function withAuthors<T extends { authorId: string }>(page: { items: T[]; nextCursor: string | null }) {
  const ids = [...new Set(page.items.map((item) => item.authorId))];
  const found = await Promise.all(
    ids.map((id) =>
      User.findOne({ _id: id, deletedAt: null, ...inGoodStanding() }, 'username firstName avatar').lean<AuthorSource>(),
    ),
  );
  const authors = new Map(found.filter((a) => a !== null).map((a) => [String(a._id), a]));
  const items = page.items.flatMap((item) => {
    const a = authors.get(item.authorId);
    if (!a) return [];
    return [
      {
        ...item,
        author: {
          id: item.authorId,
          username: a.username,
          firstName: a.firstName,
          avatar: a.avatar ? photoView(a.avatar) : null,
        },
      },
    ];
  });
  return { ...page, items };
}
