import { body, param, query } from 'express-validator';
import { config } from '../config/index.js';
import { POST_VISIBILITY, type PostVisibility } from '../models/post.model.js';
import { cleanText } from '../utils/text.js';
import { inputRules, isIdText, pageRules, scalar, sealedPageRules, text, uploadLength } from './common.validators.js';

const caption = (optional: boolean) => {
  const chain = scalar('caption');
  return (optional ? chain.optional() : chain.exists({ values: 'null' }).withMessage('is required'))
    .isString()
    .withMessage('must be a string')
    .bail()
    .customSanitizer((v: string) => cleanText(v))
    .isLength({ max: config.posts.captionMax })
    .withMessage(`must be at most ${config.posts.captionMax} characters`);
};

/** Multipart text fields: everything arrives as a string. */
export const createPostRules = inputRules<{
  caption?: string;
  visibility?: PostVisibility;
  sensitive?: string;
  placeName?: string;
  placeLat?: number;
  placeLng?: number;
}>([
  caption(true),
  scalar('visibility')
    .optional()
    .isIn(POST_VISIBILITY)
    .withMessage(`must be one of ${POST_VISIBILITY.join(', ')}`),
  scalar('sensitive').optional().isIn(['true', 'false']).withMessage('must be true or false'),
  text('placeName', 100).optional(),
  scalar('placeConsent').optional().isIn(['true', 'false']).withMessage('must be true or false'),
  scalar(['placeLat', 'placeLng'])
    .optional()
    .custom((_v, { req }) => (req.body as { placeConsent?: unknown }).placeConsent === 'true')
    .withMessage('is only accepted with placeConsent: true')
    .bail()
    .custom((_v, { req }) => typeof (req.body as { placeName?: unknown }).placeName === 'string')
    .withMessage('needs a placeName'),
  scalar('placeLat').optional().isFloat({ min: -90, max: 90 }).withMessage('must be a latitude').toFloat(),
  scalar('placeLng').optional().isFloat({ min: -180, max: 180 }).withMessage('must be a longitude').toFloat(),
  scalar('placeLng')
    .custom((_v, { req }) => {
      const b = req.body as Record<string, unknown>;
      return (b.placeLat === undefined) === (b.placeLng === undefined);
    })
    .withMessage('placeLat and placeLng go together'),
]);

export const editPostRules = inputRules<{ id: string; caption: string }>([
  param('id').custom(isIdText).withMessage('must be a post id'),
  caption(false),
]);
export const postIdParam = inputRules<{ id: string }>([param('id').custom(isIdText).withMessage('must be a post id')]);
export const authorPostsRules = inputRules<{ userId: string; limit?: number; cursor?: string }>([
  param('userId').custom(isIdText).withMessage('must be a user id'),
  ...sealedPageRules(50),
]);

const postId = param('id').custom(isIdText).withMessage('must be a post id');
const day = (field: string) =>
  query(field)
    .isISO8601({ strict: true, strictSeparator: true })
    .withMessage('must be a date (YYYY-MM-DD)')
    .bail()
    .matches(/^\d{4}-\d{2}-\d{2}$/)
    .withMessage('must be a date (YYYY-MM-DD)');

export const likersRules = inputRules<{ id: string; limit?: number; cursor?: string }>([postId, ...sealedPageRules(100)]);
export const shareRules = inputRules<{
  id: string;
  to: 'feed' | 'conversation';
  conversationId?: string;
  clientMessageId?: string;
}>([
  postId,
  scalar('to').isIn(['feed', 'conversation']).withMessage('must be feed or conversation'),
  scalar('conversationId').if(body('to').equals('conversation')).custom(isIdText).withMessage('must be a conversation id'),
  scalar('clientMessageId')
    .if(body('to').equals('conversation'))
    .isString()
    .matches(/^[A-Za-z0-9_-]{8,64}$/)
    .withMessage('must be 8 to 64 of A-Z, a-z, 0-9, "_" and "-"'),
]);
export const bookmarkRules = inputRules<{ id: string; collectionId?: string | null }>([
  postId,
  scalar('collectionId').optional({ values: 'null' }).custom(isIdText).withMessage('must be a collection id'),
]);
/** nginx's question before it reads a comment: the post, and the comment's length as it says it. */
export const commentCheckRules = inputRules<{ id: string; 'x-upload-length'?: number }>([postId, uploadLength()]);
export const commentRules = inputRules<{ id: string; text?: string; parentId?: string }>([
  postId,
  scalar('text').optional().isString().withMessage('must be a string'),
  scalar('parentId').optional().custom(isIdText).withMessage('must be a comment id'),
]);
export const listCommentsRules = inputRules<{ id: string; parentId?: string; limit?: number; cursor?: string }>([
  postId,
  query('parentId').optional().custom(isIdText).withMessage('must be a comment id'),
  ...sealedPageRules(100),
]);
export const commentIdParam = inputRules<{ commentId: string }>([
  param('commentId').custom(isIdText).withMessage('must be a comment id'),
]);
export const statsRules = inputRules<{ id: string; from: string; to: string }>([postId, day('from'), day('to')]);
export const creatorStatsRules = inputRules<{ from: string; to: string }>([day('from'), day('to')]);
export const bookmarksRules = inputRules<{ collectionId?: string; limit?: number; cursor?: string }>([
  query('collectionId').optional().custom(isIdText).withMessage('must be a collection id'),
  ...pageRules(50),
]);
export const collectionRules = inputRules<{ name: string }>([text('name', 50)]);
export const collectionIdParam = inputRules<{ id: string }>([
  param('id').custom(isIdText).withMessage('must be a collection id'),
]);
