import type { RequestHandler } from 'express';
import { checkExact, matchedData, validationResult, type ValidationChain } from 'express-validator';
import { AppError } from '../utils/app-error.js';
import { refuseUnsafeInput } from '../utils/unsafe-input.js';

/**
 * Runs the chains, refuses fields no chain names, and puts the validated values on
 * req.input. Values are never echoed back: they may be passwords.
 */
export function validate(chains: ValidationChain[]): RequestHandler {
  // With no chains given, checkExact knows the fields the chains above just validated.
  const exact = checkExact([], { message: 'Unknown field' });
  return async (req, _res, next) => {
    // The path parameters, decoded for this route only now (the edge saw none), and a body a
    // route's own parser read after the edge (multipart fields).
    refuseUnsafeInput(req.params, 'params');
    refuseUnsafeInput(req.body, 'body');
    for (const chain of chains) await chain.run(req);
    await exact.run(req);
    const result = validationResult(req);
    if (!result.isEmpty()) {
      const details = result
        .array()
        .map((e) =>
          e.type === 'field'
            ? { field: e.path, location: e.location, message: String(e.msg) }
            : e.type === 'unknown_fields'
              ? { fields: e.fields.map((f) => f.path), message: String(e.msg) }
              : { message: String(e.msg) },
        );
      throw new AppError('VALIDATION_FAILED', 'The request is invalid', details);
    }
    req.input = matchedData(req, { includeOptionals: false });
    next();
  };
}
