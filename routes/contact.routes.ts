import { Router } from 'express';
import * as contacts from '../controllers/contact.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { contactRules } from '../validators/connection.validators.js';

/** "Add a contact by email", under /contacts. */
export function contactRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.post('/', authenticate, limit.contactsPerUser, validate(contactRules), contacts.addContact);
  return router;
}
