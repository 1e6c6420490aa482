import { errors, json } from './openapi.schemas.js';

const objectId = { type: 'string', pattern: '^[a-f0-9]{24}$' };
const dateTime = { type: 'string', format: 'date-time' };
const call = {
  type: 'object',
  required: ['id', 'callerId', 'calleeId', 'mode', 'status', 'ringingAt'],
  additionalProperties: false,
  properties: {
    id: objectId,
    callerId: objectId,
    calleeId: objectId,
    mode: { enum: ['video', 'audio'] },
    status: { enum: ['ringing', 'connected', 'ended'] },
    outcome: { enum: ['accepted', 'declined', 'cancelled', 'missed', 'hangup', 'disconnected'] },
    ringingAt: dateTime,
    connectedAt: dateTime,
    endedAt: dateTime,
    durationSec: { type: 'integer', minimum: 0 },
  },
};

export const callPaths = {
  '/api/v1/rtc/ice-servers': {
    get: {
      tags: ['calls'],
      summary: "STUN servers and short-lived TURN credentials (coturn's REST scheme)",
      responses: {
        '200': {
          description: 'For RTCPeerConnection({ iceServers })',
          content: json({
            type: 'object',
            required: ['iceServers', 'ttlSeconds'],
            properties: {
              iceServers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['urls'],
                  properties: {
                    urls: { type: 'array', items: { type: 'string' } },
                    username: { type: 'string' },
                    credential: { type: 'string' },
                  },
                },
              },
              ttlSeconds: { type: 'integer' },
            },
          }),
        },
        ...errors('401'),
      },
    },
  },
  '/api/v1/match/history': {
    get: {
      tags: ['calls'],
      summary: 'Your calls, newest first: who, when, how they ended and how long they lasted',
      parameters: [
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'A page',
          content: json({
            type: 'object',
            required: ['calls', 'nextCursor'],
            properties: { calls: { type: 'array', items: call }, nextCursor: { type: ['string', 'null'] } },
          }),
        },
        ...errors('400', '401'),
      },
    },
  },
  '/api/v1/match/active': {
    get: {
      tags: ['calls'],
      summary: 'Your ringing or connected call, if any',
      responses: {
        '200': {
          description: 'The call or null',
          content: json({ type: 'object', required: ['call'], properties: { call: { oneOf: [call, { type: 'null' }] } } }),
        },
        ...errors('401'),
      },
    },
  },
};
