import { count, postSchema, urls } from './openapi.posts.js';
import {
  dateTime,
  errors,
  json,
  jsonBody,
  objectId,
  pageOf,
  pageParams,
  pathId,
  queryParam,
  uploadCheckAnswers,
  uploadsAtOnce,
  uploadLengthHeader,
} from './openapi.schemas.js';

const str = { type: 'string' };
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});
const ok = (description: string, schema: object) => ({ '200': { description, content: json(schema) } });
const bool = { type: 'boolean' };
const idParam = [pathId('id')];

const comment = obj(
  {
    id: objectId,
    postId: objectId,
    parentId: { type: ['string', 'null'] },
    depth: { type: 'integer' },
    text: str,
    mentions: { type: 'array', items: objectId },
    image: {
      oneOf: [
        { type: 'null' },
        { type: 'object', properties: { urls, width: { type: 'integer' }, height: { type: 'integer' } } },
      ],
    },
    replies: count,
    deleted: bool,
    author: {
      oneOf: [
        { type: 'null', description: 'A removed comment, kept for its replies, names nobody' },
        obj({ id: objectId, username: str, firstName: str }),
      ],
    },
    createdAt: dateTime,
  },
  ['id', 'postId', 'parentId', 'depth', 'text', 'author'],
);

const dayRow = {
  type: 'object',
  properties: { day: { type: 'string', format: 'date' }, likeToViewRatio: { type: ['number', 'null'] } },
};
const statsBody = (extra: Record<string, object> = {}) =>
  obj(
    {
      ...extra,
      from: { type: 'string', format: 'date' },
      to: { type: 'string', format: 'date' },
      days: { type: 'array', items: dayRow },
      totals: { type: 'object' },
    },
    ['from', 'to', 'days', 'totals'],
  );
const rangeParams = [
  queryParam('from', { type: 'string', format: 'date' }, 'First UTC day'),
  queryParam('to', { type: 'string', format: 'date' }, 'Last UTC day (at most 366 days)'),
];
const collection = obj({ id: objectId, name: str });

export const engagementPaths = {
  '/api/v1/posts/{id}/like': {
    post: {
      tags: ['posts'],
      summary: 'Like (once; again changes nothing)',
      parameters: idParam,
      responses: { ...ok('Liked', obj({ liked: bool, changed: bool })), ...errors('400', '401', '404') },
    },
    delete: {
      tags: ['posts'],
      summary: 'Take a like back',
      parameters: idParam,
      responses: { ...ok('Not liked', obj({ liked: bool, changed: bool })), ...errors('400', '401', '404') },
    },
  },
  '/api/v1/posts/{id}/likes': {
    get: {
      tags: ['posts'],
      summary: 'Who liked a post, newest first',
      parameters: [...idParam, ...pageParams(100)],
      responses: pageOf('items', obj({ userId: objectId, username: str, firstName: str, likedAt: dateTime }), [
        '400',
        '401',
        '404',
      ]),
    },
  },
  '/api/v1/posts/{id}/views': {
    post: {
      tags: ['posts'],
      summary: 'A view, counted once per viewer per post per UTC day',
      parameters: idParam,
      responses: { ...ok('Whether it counted', obj({ counted: bool })), ...errors('400', '401', '404') },
    },
  },
  '/api/v1/posts/{id}/shares': {
    post: {
      tags: ['posts'],
      summary:
        "Share to your feed (once) or into a conversation (a message with the link). The post's share count is of people: each sharer once, the author never",
      parameters: idParam,
      requestBody: jsonBody({ to: { enum: ['feed', 'conversation'] }, conversationId: objectId, clientMessageId: str }, ['to']),
      responses: {
        '201': {
          description: 'Shared',
          content: json(obj({ shared: bool, changed: bool, messageId: str }, ['shared', 'changed'])),
        },
        ...ok('Already shared to the feed', obj({ shared: bool, changed: bool, messageId: str }, ['shared', 'changed'])),
        ...errors('400', '401', '403', '404'),
      },
    },
  },
  '/api/v1/posts/{id}/bookmark': {
    put: {
      tags: ['posts'],
      summary: 'Bookmark into a collection (or "Saved"); again moves it',
      parameters: idParam,
      requestBody: jsonBody({ collectionId: { type: ['string', 'null'] } }, []),
      responses: {
        ...ok('Bookmarked', obj({ bookmarked: bool, collectionId: { type: ['string', 'null'] } })),
        ...errors('400', '401', '404'),
      },
    },
    delete: {
      tags: ['posts'],
      summary: 'Remove the bookmark',
      parameters: idParam,
      responses: { ...ok('Removed', obj({ bookmarked: bool })), ...errors('400', '401', '404') },
    },
  },
  '/api/v1/posts/{id}/comments': {
    get: {
      tags: ['posts'],
      summary: "A post's comments, or a comment's replies (parentId), oldest first",
      parameters: [...idParam, queryParam('parentId', objectId), ...pageParams(100)],
      responses: pageOf('items', comment, ['400', '401', '404']),
    },
    post: {
      tags: ['posts'],
      summary: 'Comment or reply (JSON, or multipart with an optional "image"); @mentions are told',
      description: `A multipart comment is an upload. ${uploadsAtOnce}`,
      parameters: idParam,
      requestBody: jsonBody({ text: str, parentId: objectId }, []),
      responses: {
        '201': { description: 'The comment', content: json(obj({ comment })) },
        ...errors('400', '401', '404', '413', '415', '422', '429'),
      },
    },
  },
  '/api/v1/posts/{id}/comments/check': {
    get: {
      tags: ['posts'],
      summary:
        "Whether you may send a comment of X-Upload-Length bytes on this post now: a post you may see, room in the comment budget and in the day's reading of pictures (a hundred of UPLOAD_MAX_BYTES, each admitted length taken from it). nginx asks it with a comment's headers before it reads the body; a refusal's JSON is in the X-Error-Body header too",
      parameters: [...idParam, uploadLengthHeader],
      responses: uploadCheckAnswers('404'),
    },
  },
  '/api/v1/posts/comments/{commentId}': {
    delete: {
      tags: ['posts'],
      summary: "Delete a comment (its author or the post's author)",
      parameters: [pathId('commentId')],
      responses: { '204': { description: 'Deleted' }, ...errors('400', '401', '403', '404') },
    },
  },
  '/api/v1/posts/{id}/stats': {
    get: {
      tags: ['posts'],
      summary: "A post's views, likes, comments, shares, bookmarks and like-to-view ratio per day (the author only)",
      parameters: [...idParam, ...rangeParams],
      responses: { ...ok('Statistics', statsBody({ postId: objectId })), ...errors('400', '401', '403', '404') },
    },
  },
  '/api/v1/me/creator-stats': {
    get: {
      tags: ['posts'],
      summary: 'Your posts together per day, with requests that came from a post (followersFromPosts)',
      parameters: rangeParams,
      responses: { ...ok('Statistics', statsBody()), ...errors('400', '401') },
    },
  },
  '/api/v1/bookmarks': {
    get: {
      tags: ['posts'],
      summary: 'Bookmarked posts of a collection (or "Saved"), newest first',
      parameters: [queryParam('collectionId', objectId), ...pageParams(50)],
      responses: pageOf('items', postSchema, ['400', '401', '404']),
    },
  },
  '/api/v1/bookmarks/collections': {
    get: {
      tags: ['posts'],
      summary: 'Your bookmark collections',
      responses: { ...ok('Collections', obj({ collections: { type: 'array', items: collection } })), ...errors('401') },
    },
    post: {
      tags: ['posts'],
      summary: 'Create a named collection',
      requestBody: jsonBody({ name: str }),
      responses: { '201': { description: 'Created', content: json(obj({ collection })) }, ...errors('400', '401', '409') },
    },
  },
  '/api/v1/bookmarks/collections/{id}': {
    delete: {
      tags: ['posts'],
      summary: 'Delete a collection; its bookmarks move to "Saved"',
      parameters: idParam,
      responses: { '204': { description: 'Deleted' }, ...errors('400', '401', '404') },
    },
  },
};
