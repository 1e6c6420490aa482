import { Router } from 'express';
import { body, param } from 'express-validator';
import * as admin from '../controllers/admin.controller.js';
import { authenticate, requireRole } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { ROLES } from '../models/user.model.js';

const userIdParam = param('userId').isMongoId().withMessage('must be a user id');

export function adminRoutes(): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/users/:userId', requireRole('admin', 'moderator'), validate([userIdParam]), admin.getUser);
  router.patch(
    '/users/:userId/role',
    requireRole('admin'),
    validate([
      userIdParam,
      body('role')
        .isIn(ROLES)
        .withMessage(`must be one of ${ROLES.join(', ')}`),
    ]),
    admin.updateRole,
  );
  return router;
}
