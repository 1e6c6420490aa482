import { Router } from 'express';
import * as auth from '../controllers/auth.controller.js';
import { authenticate, optionalAuth } from '../middlewares/auth.middleware.js';
import { errorsInHeaders } from '../middlewares/error.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/auth.validators.js';

export function authRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.post('/signup', validate(rules.signupRules), limit.passwordLine, limit.signupPerIp, auth.signup);
  router.post(
    '/login',
    validate(rules.loginRules),
    limit.signInLine,
    limit.action('signIn'),
    limit.loginPerIp,
    limit.knownDevicePerDay,
    limit.loginPerIdentifier,
    limit.loginPerAccount,
    auth.login,
  );
  router.post('/refresh', validate(rules.refreshRules), auth.refresh);
  router.post('/logout', optionalAuth, validate(rules.logoutRules), auth.logout);
  router.post('/logout-all', authenticate, auth.logoutAll);
  router.get('/me', authenticate, auth.me);
  // What nginx configs before the per-kind questions ask before reading a photo or a comment
  // (routes/upload-check.ts): kept for the release that brings them, as a reload of the app
  // comes before nginx's (docs/deploy.md, Upgrades). Remove in the release after.
  router.get('/check', errorsInHeaders, authenticate, auth.signedIn);
  router.get('/sessions', authenticate, auth.listSessions);
  router.delete('/sessions/:id', authenticate, validate(rules.sessionIdParam), auth.endSession);
  router.post(
    '/verify-email',
    optionalAuth,
    validate(rules.verifyEmailRules),
    limit.passwordLineWhen((req) => req.body.password !== undefined),
    limit.loginPerIp,
    auth.verifyEmail,
  );
  router.post('/verify-email/resend', authenticate, limit.emailResend, auth.resendVerification);
  router.post(
    '/forgot-password',
    validate(rules.forgotPasswordRules),
    limit.forgotPasswordPerIp,
    limit.forgotPassword,
    auth.forgotPassword,
  );
  router.post('/reset-password', validate(rules.resetPasswordRules), limit.passwordLine, auth.resetPassword);
  // Asks the current password: the same budget as /reauthenticate below (a guess is a guess,
  // whichever route), and each guess is a bcrypt compare the whole server waits in line for.
  router.post(
    '/change-password',
    authenticate,
    validate(rules.changePasswordRules),
    limit.passwordLine,
    limit.action('reauthenticate'),
    limit.loginPerIp,
    auth.changePassword,
  );
  // Validated first (a malformed body costs nothing); every refusal after counts, so "taken" is no address oracle.
  // Budgets per account and per new address (as forgot-password's): nobody's inbox is bombed.
  router.post(
    '/change-email',
    authenticate,
    validate(rules.changeEmailRules),
    limit.emailResend,
    limit.changeEmailPerAddress,
    auth.changeEmail,
  );
  router.post('/change-email/confirm', validate(rules.confirmEmailChangeRules), limit.loginPerIp, auth.confirmChangedEmail);
  // Counted with failed logins: a stolen session must not become a password-guessing oracle.
  router.post(
    '/reauthenticate',
    authenticate,
    validate(rules.reauthenticateRules),
    limit.passwordLine,
    limit.action('reauthenticate'),
    limit.loginPerIp,
    auth.reauthenticate,
  );
  return router;
}
