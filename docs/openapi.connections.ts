import { closedObject, dateTime, errors, json, jsonBody, objectId, pageParams, pathId, ref } from './openapi.schemas.js';

const status = { enum: ['interested', 'ignored', 'accepted', 'rejected', 'removed'] };

export const connectionSchemas = {
  Connection: closedObject(
    { id: objectId, senderId: objectId, receiverId: objectId, status, createdAt: dateTime, connectedAt: dateTime },
    ['id', 'senderId', 'receiverId', 'status', 'createdAt'],
  ),
  ConnectionList: closedObject(
    {
      items: {
        type: 'array',
        items: closedObject({ id: objectId, user: ref('UserCard'), status, createdAt: dateTime, connectedAt: dateTime }, [
          'id',
          'user',
          'status',
          'createdAt',
        ]),
      },
      nextCursor: { type: ['string', 'null'] },
    },
    ['items', 'nextCursor'],
  ),
  Quota: closedObject(
    {
      plan: { enum: ['free', 'gold', 'premium'] },
      limit: { type: ['integer', 'null'], description: 'Requests per UTC day; null: unlimited' },
      used: { type: 'integer' },
      remaining: { type: ['integer', 'null'] },
      resetAt: dateTime,
    },
    ['plan', 'limit', 'used', 'remaining', 'resetAt'],
  ),
  SwipeResult: closedObject(
    { connection: ref('Connection'), matched: { type: 'boolean', description: 'true: you are now connected' } },
    ['connection', 'matched'],
  ),
  DiscoveryPage: closedObject(
    {
      profiles: { type: 'array', items: ref('DiscoveryProfile'), description: 'Best first' },
      nextCursor: { type: ['string', 'null'], description: 'null: no more candidates' },
    },
    ['profiles', 'nextCursor'],
  ),
};

export const connectionPaths = {
  '/api/v1/discover': {
    get: {
      tags: ['connections'],
      summary: 'The swipe feed: people who fit both ways, ranked by shared interests, distance and activity',
      description:
        'Never you, anyone you or they swiped on (any outcome), connections, blocked, banned or hidden accounts. An empty page with a null cursor means nobody is left.',
      parameters: pageParams(30),
      responses: { '200': { description: 'A page of candidates', content: json(ref('DiscoveryPage')) }, ...errors('400', '401') },
    },
  },
  '/api/v1/connections': {
    get: {
      tags: ['connections'],
      summary: 'Your connections (friends), newest first',
      parameters: pageParams(100),
      responses: { '200': { description: 'Friends', content: json(ref('ConnectionList')) }, ...errors('400', '401') },
    },
  },
  '/api/v1/connections/requests/received': {
    get: {
      tags: ['connections'],
      summary: 'Pending requests others sent you',
      parameters: pageParams(100),
      responses: { '200': { description: 'Requests', content: json(ref('ConnectionList')) }, ...errors('400', '401') },
    },
  },
  '/api/v1/connections/requests/sent': {
    get: {
      tags: ['connections'],
      summary: 'Your pending requests',
      description: 'A request turned down stays listed as pending: no one is told they were declined.',
      parameters: pageParams(100),
      responses: { '200': { description: 'Requests', content: json(ref('ConnectionList')) }, ...errors('400', '401') },
    },
  },
  '/api/v1/connections/requests/{requestId}': {
    post: {
      tags: ['connections'],
      summary: 'Accept or reject a request sent to you (once)',
      parameters: [pathId('requestId')],
      requestBody: jsonBody({ action: { enum: ['accepted', 'rejected'] } }),
      responses: {
        '200': {
          description: 'Answered',
          content: json({ type: 'object', required: ['connection'], properties: { connection: ref('Connection') } }),
        },
        ...errors('400', '401', '403', '404', '409'),
      },
    },
  },
  '/api/v1/connections/{userId}': {
    post: {
      tags: ['connections'],
      summary: 'Swipe: interested (a request, counted against your daily quota) or ignored',
      description:
        'If they already asked you, this answers them: interested connects you at once (200, matched). If they passed on you, the swipe is stored and answered as any first swipe (201, your request pending, quota spent) but goes nowhere: no one learns who passed on them.',
      parameters: [pathId('userId')],
      requestBody: jsonBody(
        { action: { enum: ['interested', 'ignored'] }, fromPostId: { ...objectId, description: 'The post it was sent from' } },
        ['action'],
      ),
      responses: {
        '200': { description: 'A repeat of your swipe, or a match', content: json(ref('SwipeResult')) },
        '201': { description: 'Recorded', content: json(ref('SwipeResult')) },
        '429': { description: 'QUOTA_EXCEEDED: details hold limit, remaining and resetAt', content: json(ref('Error')) },
        ...errors('400', '401', '403', '404', '409'),
      },
    },
    delete: {
      tags: ['connections'],
      summary: 'Remove a connection',
      parameters: [pathId('userId')],
      responses: { '204': { description: 'Removed' }, ...errors('400', '401', '403', '404') },
    },
  },
  '/api/v1/contacts': {
    post: {
      tags: ['connections'],
      summary: 'Send a request to the account using an email address, if there is one',
      description:
        "The answer is the same whether or not the address has an account, and so is the cost: one request of the day's quota. A request made this way is not listed in the sender's sent requests (it would name the account) until it is answered. Rate limited.",
      requestBody: jsonBody({ email: { type: 'string', format: 'email' } }),
      responses: {
        '202': {
          description: 'Taken',
          content: json({ type: 'object', required: ['message'], properties: { message: { type: 'string' } } }),
        },
        ...errors('400', '401', '403', '429'),
      },
    },
  },
  '/api/v1/users/me/quota': {
    get: {
      tags: ['connections'],
      summary: "Today's request quota of your plan",
      responses: {
        '200': {
          description: 'Your quota',
          content: json({ type: 'object', required: ['quota'], properties: { quota: ref('Quota') } }),
        },
        ...errors('401', '404'),
      },
    },
  },
};
