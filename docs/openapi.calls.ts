import { closedObject, dateTime, errors, json, objectId, pageOf, pageParams } from './openapi.schemas.js';

const call = closedObject(
  {
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
  ['id', 'callerId', 'calleeId', 'mode', 'status', 'ringingAt'],
);

const match = closedObject(
  {
    id: objectId,
    partnerId: objectId,
    mode: { enum: ['chat', 'video'] },
    status: { enum: ['pending', 'accepted', 'rejected', 'expired', 'left', 'disconnected'] },
    foundAt: dateTime,
    answeredAt: dateTime,
    endedAt: dateTime,
    durationSec: { type: 'integer', minimum: 0, description: 'How long the offer lasted: found to answered or ended' },
    conversationId: objectId,
    callId: objectId,
  },
  ['id', 'partnerId', 'mode', 'status', 'foundAt'],
);

export const callPaths = {
  '/api/v1/rtc/ice-servers': {
    get: {
      tags: ['calls'],
      summary: "STUN servers and short-lived TURN credentials (coturn's REST scheme)",
      description:
        'TURN credentials come only with the id of a call you are in, ringing or connected: fetch them for that call. Without one (or for a call that is not yours or has ended) the answer holds STUN servers only. A random match\'s call is relayed only: iceTransportPolicy is "relay" (pass it to RTCPeerConnection), and the server passes on no candidate of another type, so neither stranger learns the other\'s address.',
      parameters: [{ name: 'callId', in: 'query', required: false, schema: objectId }],
      responses: {
        '200': {
          description: 'For RTCPeerConnection({ iceServers })',
          content: json({
            type: 'object',
            required: ['iceServers', 'ttlSeconds', 'iceTransportPolicy'],
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
              iceTransportPolicy: { type: 'string', enum: ['all', 'relay'] },
            },
          }),
        },
        ...errors('400', '401'),
      },
    },
  },
  '/api/v1/match/history': {
    get: {
      tags: ['calls'],
      summary: 'Your matches, newest first: partner, mode, how they ended, the conversation or call they led to',
      parameters: pageParams(100),
      responses: pageOf('matches', match),
    },
  },
  '/api/v1/rtc/calls': {
    get: {
      tags: ['calls'],
      summary: 'Your calls, newest first: who, when, how they ended and how long they lasted',
      parameters: pageParams(100),
      responses: pageOf('calls', call),
    },
  },
  '/api/v1/match/active': {
    get: {
      tags: ['calls'],
      summary: 'Your match waiting for answers and your ringing or connected call, each or null',
      responses: {
        '200': {
          description: 'What is going on now',
          content: json(
            closedObject({ match: { oneOf: [match, { type: 'null' }] }, call: { oneOf: [call, { type: 'null' }] } }, [
              'match',
              'call',
            ]),
          ),
        },
        ...errors('401'),
      },
    },
  },
};
