import {
  closedObject,
  errors,
  json,
  jsonBody,
  multipartBody,
  ref,
  uploadCheckAnswers,
  uploadsAtOnce,
  uploadLengthHeader,
} from './openapi.schemas.js';

const photosEnvelope = json(closedObject({ photos: ref('Photos') }, ['photos']));
const added = json(closedObject({ photo: ref('Photo'), photos: ref('Photos') }, ['photo', 'photos']));
/** A new picture, or why it was refused (type, size, pixels, a full gallery). */
const stored = (description: string) => ({
  '201': { description, content: added },
  ...errors('400', '401', '403', '404', '409', '413', '415', '422', '429'),
});
const target = { enum: ['avatar', 'gallery'], description: 'avatar replaces the profile picture; gallery (default) appends' };

export const photoPaths = {
  '/api/v1/users/me/photos': {
    get: {
      tags: ['photos'],
      summary: 'Your profile picture and gallery',
      responses: { '200': { description: 'Your pictures', content: photosEnvelope }, ...errors('401', '404') },
    },
    post: {
      tags: ['photos'],
      summary: 'Upload a picture through the API (JPEG, PNG or WebP; checked, resized, metadata stripped)',
      description: uploadsAtOnce,
      parameters: [{ name: 'target', in: 'query', required: false, schema: target }],
      requestBody: multipartBody({ photo: { type: 'string', format: 'binary' } }, ['photo']),
      responses: stored('Stored; a replaced picture is deleted'),
    },
  },
  '/api/v1/users/me/photos/check': {
    get: {
      tags: ['photos'],
      summary:
        "Whether you may upload a photo of X-Upload-Length bytes to target now: room where it goes, room in the photo budget and in the day's reading of pictures (a hundred of UPLOAD_MAX_BYTES, each admitted length taken from it). nginx asks it with an upload's headers and query before it reads the body; a refusal's JSON is in the X-Error-Body header too",
      parameters: [{ name: 'target', in: 'query', required: false, schema: target }, uploadLengthHeader],
      responses: uploadCheckAnswers('409'),
    },
  },
  '/api/v1/users/me/photos/uploads': {
    post: {
      tags: ['photos'],
      summary: 'A short-lived ticket to upload straight to S3 (presigned POST) or Cloudinary (signed fields)',
      requestBody: jsonBody({
        contentType: { enum: ['image/jpeg', 'image/png', 'image/webp'] },
        size: { type: 'integer', minimum: 1 },
      }),
      responses: {
        '201': {
          description: 'Where and how to upload',
          content: json({ type: 'object', required: ['upload'], properties: { upload: ref('UploadTicket') } }),
        },
        ...errors('400', '401', '403', '409', '413'),
      },
    },
  },
  '/api/v1/users/me/photos/uploads/confirm': {
    post: {
      tags: ['photos'],
      summary: 'Check a direct upload and make it a picture (a refused upload is deleted)',
      requestBody: jsonBody({ key: { type: 'string' }, target }, ['key']),
      responses: stored('Stored; a replaced picture is deleted'),
    },
  },
  '/api/v1/users/me/photos/order': {
    put: {
      tags: ['photos'],
      summary: 'Reorder the gallery: list every gallery photo id once',
      requestBody: jsonBody({ photoIds: { type: 'array', items: { type: 'string' } } }),
      responses: { '200': { description: 'The new order', content: photosEnvelope }, ...errors('400', '401', '403', '409') },
    },
  },
  '/api/v1/users/me/photos/{photoId}': {
    delete: {
      tags: ['photos'],
      summary: 'Delete a picture and its stored files',
      parameters: [{ name: 'photoId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{24}$' } }],
      responses: {
        '200': { description: 'What is left', content: photosEnvelope },
        ...errors('400', '401', '403', '404', '409'),
      },
    },
  },
};
