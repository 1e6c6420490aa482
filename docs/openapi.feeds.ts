import { postSchema } from './openapi.posts.js';
import { closedObject, errors, json, jsonBody, objectId, pageParams, queryParam, ref } from './openapi.schemas.js';

const str = { type: 'string' };
const tags = { type: 'array', items: str };
const feedPost = {
  ...postSchema,
  properties: {
    ...postSchema.properties,
    viral: { type: 'boolean' },
    sharedBy: { type: ['string', 'null'] },
    distanceKm: { type: 'integer' },
    author: {
      ...closedObject({ id: objectId, username: str, firstName: str, avatar: { oneOf: [ref('Photo'), { type: 'null' }] } }, [
        'id',
        'username',
        'firstName',
        'avatar',
      ]),
      description: 'Who wrote it (feeds only; posts of authors no longer in good standing are left out)',
    },
  },
};
const feedPage = (cursor: string) => ({
  '200': {
    description: 'A page',
    content: json(
      closedObject({ items: { type: 'array', items: feedPost }, nextCursor: { type: ['string', 'null'], description: cursor } }, [
        'items',
        'nextCursor',
      ]),
    ),
  },
  ...errors('400', '401', '404'),
});
const settings = closedObject(
  {
    mutedTags: tags,
    mutedAuthors: { type: 'array', items: objectId },
    preferredTopics: tags,
    sensitiveFilter: { type: 'boolean' },
  },
  ['mutedTags', 'mutedAuthors', 'preferredTopics', 'sensitiveFilter'],
);
const settingsEnvelope = json({ type: 'object', required: ['settings'], properties: { settings } });
const postIdParam = [{ name: 'postId', in: 'path', required: true, schema: objectId }];
const limit = queryParam('limit', { type: 'integer', minimum: 1, maximum: 50 });

export const feedPaths = {
  '/api/v1/feed/following': {
    get: {
      tags: ['feed'],
      summary: 'Posts of your connections (and what they shared), newest first',
      parameters: pageParams(50),
      responses: feedPage('nextCursor of the previous page'),
    },
  },
  '/api/v1/feed/for-you': {
    get: {
      tags: ['feed'],
      summary: 'Ranked for you: interests, who you engage with, popularity with time decay, freshness, discovery',
      description: 'The first page starts a session; pass nextCursor for the next page. Nothing repeats within a session.',
      parameters: [limit, queryParam('cursor', str, 'nextCursor of the previous page (session.offset)')],
      responses: feedPage('Continues this session'),
    },
  },
  '/api/v1/feed/trending': {
    get: {
      tags: ['feed'],
      summary: 'Approved trending hashtags and the most popular posts now',
      parameters: [limit],
      responses: {
        '200': {
          description: 'Trending',
          content: json({
            type: 'object',
            required: ['hashtags', 'posts'],
            properties: {
              hashtags: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { tag: str, score: { type: 'number' }, recentEngagement: { type: 'number' } },
                },
              },
              posts: { type: 'array', items: feedPost },
            },
          }),
        },
        ...errors('400', '401'),
      },
    },
  },
  '/api/v1/feed/nearby': {
    get: {
      tags: ['feed'],
      summary: 'Posts from places within a distance band, newest first',
      parameters: [
        queryParam('lat', { type: 'number' }),
        queryParam('lng', { type: 'number' }),
        queryParam('km', { enum: [5, 25, 100, 500] }, 'Default 25'),
        ...pageParams(50),
      ],
      responses: feedPage('nextCursor of the previous page'),
    },
  },
  '/api/v1/feed/settings': {
    get: {
      tags: ['feed'],
      summary: 'Your feed settings',
      responses: { '200': { description: 'Settings', content: settingsEnvelope }, ...errors('401') },
    },
    patch: {
      tags: ['feed'],
      summary: 'Mute hashtags and authors, prefer topics, the sensitive-content filter (fields given are replaced)',
      requestBody: jsonBody(
        {
          mutedTags: tags,
          mutedAuthors: { type: 'array', items: objectId },
          preferredTopics: tags,
          sensitiveFilter: { type: 'boolean' },
        },
        [],
      ),
      responses: { '200': { description: 'Settings', content: settingsEnvelope }, ...errors('400', '401') },
    },
  },
  '/api/v1/feed/not-interested/{postId}': {
    put: {
      tags: ['feed'],
      summary: 'Not interested: never show it again, and rank posts like it lower',
      parameters: postIdParam,
      responses: { '204': { description: 'Noted' }, ...errors('400', '401', '404') },
    },
    delete: {
      tags: ['feed'],
      summary: 'Take "not interested" back',
      parameters: postIdParam,
      responses: { '204': { description: 'Done' }, ...errors('400', '401') },
    },
  },
};

const moderation = jsonBody({ action: { enum: ['restore', 'remove'] } });
const idParam = [{ name: 'id', in: 'path', required: true, schema: objectId }];

export const adminContentPaths = {
  '/api/v1/admin/content/viral-posts': {
    get: {
      tags: ['admin'],
      summary: 'Posts marked viral in the last three days',
      responses: {
        '200': {
          description: 'Viral posts',
          content: json({ type: 'object', required: ['posts'], properties: { posts: { type: 'array' } } }),
        },
        ...errors('401', '403'),
      },
    },
  },
  '/api/v1/admin/content/trending': {
    get: {
      tags: ['admin'],
      summary: 'Trending hashtags by status (pending by default)',
      parameters: [queryParam('status', { enum: ['pending', 'approved', 'rejected'] })],
      responses: {
        '200': {
          description: 'Hashtags',
          content: json({ type: 'object', required: ['hashtags'], properties: { hashtags: { type: 'array' } } }),
        },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/content/trending/{tag}': {
    patch: {
      tags: ['admin'],
      summary: 'Approve or reject a trending hashtag (only approved ones show)',
      parameters: [{ name: 'tag', in: 'path', required: true, schema: str }],
      requestBody: jsonBody({ status: { enum: ['approved', 'rejected'] } }),
      responses: { '204': { description: 'Done' }, ...errors('400', '401', '403', '404') },
    },
  },
  '/api/v1/admin/content/posts/{id}': {
    patch: {
      tags: ['admin'],
      summary: 'Decide on a reported post: restore it or remove it',
      parameters: idParam,
      requestBody: moderation,
      responses: { '204': { description: 'Done' }, ...errors('400', '401', '403', '404') },
    },
  },
  '/api/v1/admin/content/comments/{id}': {
    patch: {
      tags: ['admin'],
      summary: 'Decide on a reported comment: restore it or remove it',
      parameters: idParam,
      requestBody: moderation,
      responses: { '204': { description: 'Done' }, ...errors('400', '401', '403', '404') },
    },
  },
};
