import {
  closedObject,
  dateTime,
  errors,
  json,
  jsonBody,
  multipartBody,
  objectId,
  pageOf,
  pageParams,
  pathId,
} from './openapi.schemas.js';

const str = { type: 'string' };
export const count = { type: 'integer', minimum: 0 };
export const urls = { type: 'object', properties: { thumb: str, card: str, full: str } };

export const postSchema = closedObject(
  {
    id: objectId,
    authorId: objectId,
    caption: str,
    hashtags: { type: 'array', items: str, description: 'Normalised: lower-case, dashes' },
    mentions: { type: 'array', items: objectId, description: 'Users named with @username who exist' },
    kind: { enum: ['images', 'video'] },
    images: {
      type: 'array',
      items: { type: 'object', properties: { urls, width: { type: 'integer' }, height: { type: 'integer' } } },
    },
    video: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['masterUrl', 'posterUrl', 'renditions'],
          properties: {
            masterUrl: { type: 'string', description: 'HLS master playlist' },
            posterUrl: str,
            durationSec: { type: 'number' },
            width: { type: 'integer' },
            height: { type: 'integer' },
            renditions: {
              type: 'array',
              items: {
                type: 'object',
                properties: { height: { type: 'integer' }, width: { type: 'integer' }, bandwidth: { type: 'integer' }, url: str },
              },
            },
          },
        },
      ],
    },
    place: {
      oneOf: [
        { type: 'null' },
        { type: 'object', properties: { name: str, lat: { type: ['number', 'null'] }, lng: { type: ['number', 'null'] } } },
      ],
    },
    visibility: { enum: ['public', 'connections'] },
    sensitive: {
      type: 'boolean',
      description: "The author's mark: feeds leave it out for viewers with the sensitive filter on; elsewhere, blur it",
    },
    status: { enum: ['processing', 'ready', 'failed'], description: 'Others only ever see ready posts' },
    failReason: { type: ['string', 'null'], description: 'For the author: unreadable_video, too_long, timed_out, ...' },
    counters: {
      type: 'object',
      required: ['likes', 'comments', 'shares', 'views', 'bookmarks'],
      properties: { likes: count, comments: count, shares: count, views: count, bookmarks: count },
    },
    createdAt: dateTime,
    readyAt: { type: ['string', 'null'], format: 'date-time' },
  },
  [
    'id',
    'authorId',
    'caption',
    'hashtags',
    'mentions',
    'kind',
    'images',
    'video',
    'place',
    'visibility',
    'sensitive',
    'status',
    'counters',
  ],
);

const postEnvelope = json(closedObject({ post: postSchema }, ['post']));

export const postPaths = {
  '/api/v1/posts': {
    post: {
      tags: ['posts'],
      summary: 'Share one to ten images or one video (multipart); media are processed by a job, then post:ready or post:failed',
      requestBody: multipartBody(
        {
          media: { type: 'array', items: { type: 'string', format: 'binary' }, maxItems: 10 },
          caption: str,
          visibility: { enum: ['public', 'connections'] },
          sensitive: { enum: ['true', 'false'], description: 'Kept out of the feeds of viewers with the sensitive filter on' },
          placeName: str,
          placeConsent: { enum: ['true', 'false'] },
          placeLat: { type: 'number', description: 'Only with placeConsent=true; stored to about 1 km' },
          placeLng: { type: 'number' },
        },
        ['media'],
      ),
      responses: {
        '202': { description: 'Accepted; processing', content: postEnvelope },
        ...errors('400', '401', '413', '415', '422', '429', '503'),
      },
    },
  },
  '/api/v1/posts/author/{userId}': {
    get: {
      tags: ['posts'],
      summary: "An author's posts as the caller may see them, newest first",
      parameters: [pathId('userId'), ...pageParams(50)],
      responses: pageOf('items', postSchema, ['400', '401', '404']),
    },
  },
  '/api/v1/posts/{id}': {
    get: {
      tags: ['posts'],
      summary: 'A post (404 when the caller may not see it)',
      parameters: [pathId('id')],
      responses: { '200': { description: 'The post', content: postEnvelope }, ...errors('400', '401', '404') },
    },
    patch: {
      tags: ['posts'],
      summary: 'Edit the caption (the author only)',
      parameters: [pathId('id')],
      requestBody: jsonBody({ caption: str }),
      responses: { '200': { description: 'The post', content: postEnvelope }, ...errors('400', '401', '403', '404', '422') },
    },
    delete: {
      tags: ['posts'],
      summary: 'Delete a post and its media (the author only)',
      parameters: [pathId('id')],
      responses: { '204': { description: 'Deleted' }, ...errors('400', '401', '403', '404') },
    },
  },
};
