import { body, header, query, type ValidationChain } from 'express-validator';
import type { z } from 'zod';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, passwordLengthOk } from '../utils/password-length.js';
import { cleanText, INVISIBLE, MARKUP, normaliseIdentifier } from '../utils/text.js';

/**
 * An id as the API writes it: one string of 24 lower-case hex digits. isMongoId() also took
 * "ABC…" and ["abc…"] (it checks each item of an array), which the database reads as the same
 * record while string comparisons ("not oneself") see another: use with .custom(isIdText).
 */
export const isIdText = (value: unknown): boolean => typeof value === 'string' && /^[0-9a-f]{24}$/.test(value);

/**
 * A body field that holds one value. express-validator's standard checks (isIn, isInt,
 * isBoolean, matches, ...) check each item of an array, and an empty one not at all:
 * {"action": ["ignored"]} passed isIn(['interested', 'ignored']) and reached the service as
 * an array. Every body field that is not a list starts here (or with requiredString).
 */
export const scalar = (field: string | string[]): ValidationChain =>
  body(field).not().isArray().withMessage('must be a single value').bail();

/** Present and a string: objects and arrays (operator injection) stop here. */
export const requiredString = (field: string): ValidationChain =>
  body(field).exists({ values: 'null' }).withMessage('is required').bail().isString().withMessage('must be a string').bail();

/** A required text field, cleaned (NFC, no control characters) and length-checked. */
export const text = (field: string, max: number): ValidationChain =>
  requiredString(field)
    .customSanitizer((v: string) => cleanText(v))
    .isLength({ min: 1, max })
    .withMessage(`must be 1 to ${max} characters`);

export const personName = (field: string): ValidationChain =>
  text(field, 50).not().matches(MARKUP).withMessage('may not contain markup characters');

/** Passwords are kept verbatim (no trimming): only their byte length is checked. */
export const password = (field: string): ValidationChain =>
  requiredString(field)
    .custom((v: string) => passwordLengthOk(v))
    .withMessage(`must be ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes`);

/** An address as stored (normaliseIdentifier), checked in that form; none with invisible characters. */
export const email = (field: string): ValidationChain =>
  requiredString(field)
    .customSanitizer((v: string) => normaliseIdentifier(v))
    .isLength({ max: 254 })
    .withMessage('is too long')
    .bail()
    .not()
    .matches(INVISIBLE)
    .withMessage('must be an email address')
    .bail()
    .isEmail()
    .withMessage('must be an email address');

/** Opaque tokens from links: base64url, bounded. */
export const opaqueToken = (field: string): ValidationChain =>
  requiredString(field)
    .matches(/^[A-Za-z0-9_-]{20,200}$/)
    .withMessage('is not a valid token');

/**
 * An optional nested object holding only the listed keys. checkExact treats a validated
 * object as known as a whole, so nested unknown keys are refused here.
 */
export const objectWithKeys = (field: string, keys: readonly string[]): ValidationChain =>
  body(field)
    .optional()
    .isObject({ strict: true })
    .withMessage('must be an object')
    .bail()
    .custom((value: object) => Object.keys(value).every((k) => keys.includes(k)))
    .withMessage(`may only hold ${keys.join(', ')}`);

/** Latitude and longitude inside `location`, when a location is sent. */
export const coordinateRules: ValidationChain[] = [
  scalar('location.lat').if(body('location').exists()).isFloat({ min: -90, max: 90 }).withMessage('must be a latitude').toFloat(),
  scalar('location.lng')
    .if(body('location').exists())
    .isFloat({ min: -180, max: 180 })
    .withMessage('must be a longitude')
    .toFloat(),
];

export const optionalQueryInt = (field: string, min: number, max: number): ValidationChain =>
  query(field).optional().isInt({ min, max }).withMessage(`must be a whole number from ${min} to ${max}`).toInt();

/** nginx's questions before it reads an upload: the upload's length as it says it (X-Upload-Length; empty when it says none). */
export const uploadLength = (): ValidationChain =>
  header('x-upload-length').optional({ values: 'falsy' }).isInt({ min: 0, max: 1e15 }).withMessage('must be a length').toInt();

/** limit (1 to max) and the cursor a previous page returned. */
export function pageRules(max: number): ValidationChain[] {
  return [
    optionalQueryInt('limit', 1, max),
    query('cursor').optional().custom(isIdText).withMessage('is not a cursor from a previous page'),
  ];
}

/** limit (1 to max) and a sealed cursor a previous page returned (opaque: services open it). */
export function sealedPageRules(max: number): ValidationChain[] {
  return [
    optionalQueryInt('limit', 1, max),
    query('cursor')
      .optional()
      .isString()
      .matches(/^[A-Za-z0-9_-]{20,300}$/)
      .withMessage('is not a cursor from a previous page'),
  ];
}

/**
 * A route's validation chains and the type of the input they produce: the action's input
 * is defined here once, and the controller reads it typed with inputOf(req, rules).
 */
export type InputRules<T> = ValidationChain[] & { readonly __input?: T };
export const inputRules = <T>(chains: ValidationChain[]): InputRules<T> => chains;

/**
 * Body fields whose rules are zod schemas shared with a socket event: express-validator
 * stays the HTTP edge (unknown fields, the error shape), the rule itself is written once.
 * Each field gets the value its schema parsed.
 */
export function zodBody(shape: Record<string, z.ZodType>): ValidationChain[] {
  return Object.entries(shape).map(([field, schema]) => {
    const chain = body(field);
    // Optional only when absence stays absent: a default is applied here as the socket's zod would.
    const absent = schema.safeParse(undefined);
    if (absent.success && absent.data === undefined) chain.optional({ values: 'undefined' });
    return chain
      .custom((value: unknown) => {
        const parsed = schema.safeParse(value);
        if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'is invalid');
        return true;
      })
      .bail()
      .customSanitizer((value: unknown) => schema.parse(value));
  });
}
