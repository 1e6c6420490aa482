import {
  closedObject,
  dateTime,
  errors,
  json,
  jsonBody,
  multipartBody,
  objectId,
  pathId,
  queryParam,
  ref,
  uploadCheckAnswers,
  uploadsAtOnce,
  uploadLengthHeader,
} from './openapi.schemas.js';

const attachmentKind = { enum: ['image', 'video', 'voice', 'file'] };

const done = { description: 'Done' };
const envelope = (key: string, schema: object) => json({ type: 'object', required: [key], properties: { [key]: schema } });

export const chatSchemas = {
  Message: closedObject(
    {
      id: objectId,
      conversationId: objectId,
      seq: { type: 'integer', minimum: 1, description: 'Position in the conversation: the order every device shows' },
      senderId: objectId,
      clientMessageId: { type: 'string' },
      text: { type: 'string', description: 'Absent when deleted or attachment-only' },
      attachment: {
        oneOf: [
          closedObject(
            { kind: { const: 'photo' }, url: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' } },
            ['kind', 'url'],
          ),
          ref('Attachment'),
        ],
      },
      replyToId: objectId,
      reactions: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Count per emoji' },
      editedAt: dateTime,
      deletedAt: dateTime,
      createdAt: dateTime,
    },
    ['id', 'conversationId', 'seq', 'senderId', 'clientMessageId', 'reactions', 'createdAt'],
  ),
  Conversation: closedObject(
    {
      id: objectId,
      type: { enum: ['direct', 'group', 'match'] },
      name: { type: 'string' },
      avatarUrl: { type: 'string' },
      memberIds: { type: 'array', items: objectId },
      admins: { type: 'array', items: objectId },
      lastMessage: {
        oneOf: [
          {
            type: 'object',
            required: ['id', 'senderId', 'seq', 'createdAt'],
            properties: { id: objectId, senderId: objectId, seq: { type: 'integer' }, createdAt: dateTime },
          },
          { type: 'null' },
        ],
      },
      lastMessageAt: { type: ['string', 'null'], format: 'date-time' },
      unread: { type: 'integer', minimum: 0 },
    },
    ['id', 'type', 'memberIds', 'lastMessage', 'lastMessageAt', 'unread'],
  ),
  Attachment: closedObject(
    {
      id: objectId,
      kind: attachmentKind,
      width: { type: 'integer' },
      height: { type: 'integer' },
      durationSec: { type: 'number', description: 'Videos and voice notes' },
      name: { type: 'string', description: 'Files: the name shown, with the extension of the sniffed type' },
      type: { type: 'string', description: 'Files and voice notes: the content type' },
      bytes: { type: 'integer' },
      urls: {
        type: 'object',
        additionalProperties: { type: 'string', format: 'uri' },
        description:
          'Links signed for the viewer they were given to, working for MEDIA_LINK_TTL_SECONDS at most and only while the viewer is a member and the message stands: thumb/card/full (image), video/poster (video), audio (voice), file (a download)',
      },
    },
    ['id', 'kind', 'urls'],
  ),
  AttachmentUpload: closedObject(
    {
      id: objectId,
      conversationId: objectId,
      kind: attachmentKind,
      status: { enum: ['uploading', 'processing', 'ready', 'failed'] },
      failReason: { type: 'string' },
      sent: { type: 'boolean' },
      attachment: ref('Attachment'),
    },
    ['id', 'conversationId', 'kind', 'status', 'sent'],
  ),
  MessagePage: closedObject(
    {
      messages: { type: 'array', items: ref('Message'), description: 'Oldest first' },
      before: { type: ['integer', 'null'], description: 'Pass as before for older messages; null at the start' },
      after: { type: ['integer', 'null'], description: 'Pass as after for newer messages; null at the end' },
    },
    ['messages', 'before', 'after'],
  ),
};

const conversation = { '200': { description: 'The conversation', content: envelope('conversation', ref('Conversation')) } };

export const chatPaths = {
  '/api/v1/presence': {
    get: {
      tags: ['chat'],
      summary: 'Presence of up to 100 people: known only for your connections and conversation partners',
      description:
        'Read it once your socket is connected, and again after each reconnect: presence:changed then tells what changes. (Someone who came online while none of their connections was connected is told to nobody.)',
      parameters: [
        { name: 'ids', in: 'query', required: true, schema: { type: 'string' }, description: 'Comma-separated user ids' },
      ],
      responses: {
        '200': {
          description: 'online is null where you may not know, or where it is not known right now (the presence store is away)',
          content: envelope('presence', {
            type: 'array',
            items: closedObject({ userId: objectId, online: { type: ['boolean', 'null'] }, lastSeenAt: dateTime }, [
              'userId',
              'online',
            ]),
          }),
        },
        ...errors('400', '401'),
      },
    },
  },
  '/api/v1/conversations': {
    get: {
      tags: ['chat'],
      summary: 'Your conversations, latest activity first, with the last message and your unread count',
      parameters: [
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 100 }),
        queryParam('before', { type: 'string', format: 'date-time' }, 'nextCursor'),
      ],
      responses: {
        '200': {
          description: 'A page',
          content: json({
            type: 'object',
            required: ['conversations', 'nextCursor'],
            properties: {
              conversations: { type: 'array', items: ref('Conversation') },
              nextCursor: { type: ['string', 'null'] },
            },
          }),
        },
        ...errors('400', '401'),
      },
    },
    post: {
      tags: ['chat'],
      summary: 'Create a group with people you are connected to (you are its admin)',
      requestBody: jsonBody({ name: { type: 'string', maxLength: 80 }, memberIds: { type: 'array', items: objectId } }),
      responses: {
        '201': { description: 'Created', content: envelope('conversation', ref('Conversation')) },
        ...errors('400', '401', '403', '409'),
      },
    },
  },
  '/api/v1/conversations/{id}': {
    get: {
      tags: ['chat'],
      summary: 'One conversation (404 unless you are a member)',
      parameters: [pathId('id')],
      responses: { ...conversation, ...errors('400', '401', '404') },
    },
  },
  '/api/v1/conversations/{id}/messages': {
    get: {
      tags: ['chat'],
      summary: 'History, oldest first: the latest page, or before/after a message number',
      parameters: [
        pathId('id'),
        queryParam('before', { type: 'integer' }),
        queryParam('after', { type: 'integer' }),
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 100 }),
      ],
      responses: { '200': { description: 'A page', content: json(ref('MessagePage')) }, ...errors('400', '401', '404') },
    },
    post: {
      tags: ['chat'],
      summary: 'Send (as chat:send): the same clientMessageId returns the original message',
      parameters: [pathId('id')],
      requestBody: jsonBody(
        {
          clientMessageId: { type: 'string' },
          text: { type: 'string' },
          attachmentId: {
            ...objectId,
            description: 'A ready upload of yours into this conversation (sent once), or one of your profile photo ids',
          },
          replyToId: objectId,
        },
        ['clientMessageId'],
      ),
      responses: {
        '200': { description: 'A repeat: the original', content: envelope('message', ref('Message')) },
        '201': { description: 'Stored and delivered', content: envelope('message', ref('Message')) },
        ...errors('400', '401', '403', '404', '422'),
      },
    },
  },
  '/api/v1/conversations/{id}/messages/{messageId}': {
    patch: {
      tags: ['chat'],
      summary: 'Edit your message within the edit window',
      parameters: [pathId('id'), pathId('messageId')],
      requestBody: jsonBody({ text: { type: 'string' } }),
      responses: {
        '200': { description: 'Edited', content: envelope('message', ref('Message')) },
        ...errors('400', '401', '403', '404', '409', '422'),
      },
    },
    delete: {
      tags: ['chat'],
      summary: 'Delete your message within the window (group admins: any)',
      parameters: [pathId('id'), pathId('messageId')],
      responses: { '204': done, ...errors('400', '401', '403', '404', '409') },
    },
  },
  '/api/v1/conversations/{id}/attachments': {
    post: {
      tags: ['chat'],
      summary:
        'Upload an attachment through the API (multipart, the kind field before the file: it sets how far the file is read); it is checked by content and processed by the media job, then chat:attachment tells you it is ready to send as attachmentId',
      description: uploadsAtOnce,
      parameters: [pathId('id')],
      requestBody: multipartBody(
        { file: { type: 'string', format: 'binary' }, kind: attachmentKind, name: { type: 'string', maxLength: 200 } },
        ['file', 'kind'],
      ),
      responses: {
        '202': { description: 'Stored, processing', content: envelope('attachment', ref('AttachmentUpload')) },
        ...errors('400', '401', '403', '404', '413', '415', '429', '503'),
      },
    },
  },
  '/api/v1/conversations/{id}/attachments/check': {
    get: {
      tags: ['chat'],
      summary:
        "Whether you may upload an attachment of X-Upload-Length bytes here now: a member who may send, with waiting uploads below the cap, the day's bytes left for it, room in the upload's own rate budget and in the day's reading (three times the quota, each admitted length taken from it). nginx asks it with an upload's headers, its Content-Length as X-Upload-Length, before it reads the body; a refusal's JSON is in the X-Error-Body header too",
      parameters: [pathId('id'), uploadLengthHeader],
      responses: uploadCheckAnswers('404'),
    },
  },
  '/api/v1/conversations/{id}/attachments/uploads': {
    post: {
      tags: ['chat'],
      summary:
        'A ticket to upload an attachment straight to the storage (S3 presigned POST); 409 DIRECT_UPLOAD_UNAVAILABLE on local storage and Cloudinary, which take attachments through POST /attachments',
      parameters: [pathId('id')],
      requestBody: jsonBody({ kind: attachmentKind, bytes: { type: 'integer', minimum: 1 }, name: { type: 'string' } }, [
        'kind',
        'bytes',
      ]),
      responses: {
        '201': {
          description: 'Post the file as a form to upload.url with upload.fields, then complete',
          content: json(
            closedObject({
              attachment: ref('AttachmentUpload'),
              upload: closedObject({
                provider: { type: 'string' },
                key: { type: 'string' },
                url: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
                expiresAt: dateTime,
              }),
            }),
          ),
        },
        ...errors('400', '401', '403', '404', '409', '413', '429'),
      },
    },
  },
  '/api/v1/conversations/{id}/attachments/{attachmentId}': {
    get: {
      tags: ['chat'],
      summary: 'One of your uploads: its state, and once ready what the message will show',
      parameters: [pathId('id'), pathId('attachmentId')],
      responses: {
        '200': { description: 'The upload', content: envelope('attachment', ref('AttachmentUpload')) },
        ...errors('400', '401', '404'),
      },
    },
  },
  '/api/v1/conversations/{id}/attachments/{attachmentId}/complete': {
    post: {
      tags: ['chat'],
      summary: 'Say a direct upload is done: the media job takes it',
      parameters: [pathId('id'), pathId('attachmentId')],
      responses: {
        '202': { description: 'Processing (or already further)', content: envelope('attachment', ref('AttachmentUpload')) },
        ...errors('400', '401', '404', '429', '503'),
      },
    },
  },
  '/api/v1/conversations/{id}/read': {
    post: {
      tags: ['chat'],
      summary: 'Move your read pointer forward to a message',
      parameters: [pathId('id')],
      requestBody: jsonBody({ upToMessageId: objectId }),
      responses: {
        '200': {
          description: 'Your pointer',
          content: json({ type: 'object', required: ['lastReadSeq'], properties: { lastReadSeq: { type: 'integer' } } }),
        },
        ...errors('400', '401', '404'),
      },
    },
  },
  '/api/v1/conversations/{id}/mute': {
    put: {
      tags: ['chat'],
      summary: 'Mute the conversation: no notices of its messages until then (no date: until unmuted)',
      parameters: [pathId('id')],
      requestBody: jsonBody({ until: dateTime }, []),
      responses: {
        '200': {
          description: 'Muted',
          content: json(
            closedObject({
              muted: { const: true },
              mutedUntil: { oneOf: [dateTime, { type: 'null' }], description: 'null: until unmuted' },
            }),
          ),
        },
        ...errors('400', '401', '404'),
      },
    },
    delete: {
      tags: ['chat'],
      summary: 'Unmute the conversation',
      parameters: [pathId('id')],
      responses: {
        '200': { description: 'Unmuted', content: json(closedObject({ muted: { const: false }, mutedUntil: { type: 'null' } })) },
        ...errors('400', '401', '404'),
      },
    },
  },
  '/api/v1/conversations/{id}/members': {
    post: {
      tags: ['chat'],
      summary: 'Add someone you are connected to (group admins)',
      parameters: [pathId('id')],
      requestBody: jsonBody({ userId: objectId }),
      responses: { '204': done, ...errors('400', '401', '403', '404', '409') },
    },
  },
  '/api/v1/conversations/{id}/members/{userId}': {
    delete: {
      tags: ['chat'],
      summary: 'Remove a member (admins), or leave (yourself); the last admin hands over',
      parameters: [pathId('id'), pathId('userId')],
      responses: { '204': done, ...errors('400', '401', '403', '404') },
    },
    patch: {
      tags: ['chat'],
      summary: "Set a member's role (admins; a group keeps at least one admin)",
      parameters: [pathId('id'), pathId('userId')],
      requestBody: jsonBody({ role: { enum: ['admin', 'member'] } }),
      responses: { '204': done, ...errors('400', '401', '403', '404', '409') },
    },
  },
};
