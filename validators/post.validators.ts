import { body, param } from 'express-validator';
import { config } from '../config/index.js';
import { POST_VISIBILITY } from '../models/post.model.js';
import { cleanText } from '../utils/text.js';
import { pageRules, text } from './common.validators.js';

const caption = (optional: boolean) => {
  const chain = body('caption');
  return (optional ? chain.optional() : chain.exists({ values: 'null' }).withMessage('is required'))
    .isString()
    .withMessage('must be a string')
    .bail()
    .customSanitizer((v: string) => cleanText(v))
    .isLength({ max: config.posts.captionMax })
    .withMessage(`must be at most ${config.posts.captionMax} characters`);
};

/** Multipart text fields: everything arrives as a string. */
export const createPostRules = [
  caption(true),
  body('visibility')
    .optional()
    .isIn(POST_VISIBILITY)
    .withMessage(`must be one of ${POST_VISIBILITY.join(', ')}`),
  text('placeName', 100).optional(),
  body('placeConsent').optional().isIn(['true', 'false']).withMessage('must be true or false'),
  body(['placeLat', 'placeLng'])
    .optional()
    .custom((_v, { req }) => (req.body as { placeConsent?: unknown }).placeConsent === 'true')
    .withMessage('is only accepted with placeConsent: true')
    .bail()
    .custom((_v, { req }) => typeof (req.body as { placeName?: unknown }).placeName === 'string')
    .withMessage('needs a placeName'),
  body('placeLat').optional().isFloat({ min: -90, max: 90 }).withMessage('must be a latitude').toFloat(),
  body('placeLng').optional().isFloat({ min: -180, max: 180 }).withMessage('must be a longitude').toFloat(),
  body('placeLng')
    .custom((_v, { req }) => {
      const b = req.body as Record<string, unknown>;
      return (b.placeLat === undefined) === (b.placeLng === undefined);
    })
    .withMessage('placeLat and placeLng go together'),
];

export const editPostRules = [param('id').isMongoId().withMessage('must be a post id'), caption(false)];
export const postIdParam = [param('id').isMongoId().withMessage('must be a post id')];
export const authorPostsRules = [param('userId').isMongoId().withMessage('must be a user id'), ...pageRules(50)];
