import type { Request, RequestHandler, Response } from 'express';
import type { OAuthProvider } from '../models/oauth-identity.model.js';
import * as oauth from '../services/auth/oauth/oauth.service.js';
import { clientInfo, sendSession } from './auth.cookies.js';
import { callerId, inputOf, sessionOf } from './caller.js';
import * as rules from '../validators/oauth.validators.js';

/** Sign-in: 200 with a session, or 202 with the profile fields still needed before the account exists. */
export const signIn =
  (provider: OAuthProvider): RequestHandler =>
  async (req, res) => {
    const result = await oauth.signInWithProvider(provider, inputOf(req, rules.googleRules), clientInfo(req));
    if (result.status === 'signed_in') {
      sendSession(req, res, result);
    } else {
      res.status(202).json(result);
    }
  };

export async function completeSignup(req: Request, res: Response) {
  sendSession(req, res, await oauth.completeSignup(inputOf(req, rules.completeSignupRules), clientInfo(req)), 201);
}

export const link =
  (provider: OAuthProvider): RequestHandler =>
  async (req, res) => {
    res.json(await oauth.linkProvider(callerId(req), sessionOf(req), provider, inputOf(req, rules.googleRules), req.id));
  };

export async function unlink(req: Request, res: Response) {
  res.json(await oauth.unlinkProvider(callerId(req), sessionOf(req), inputOf(req, rules.providerParam).provider, req.id));
}

export async function listMethods(req: Request, res: Response) {
  res.json(await oauth.listSignInMethods(callerId(req)));
}

export function webProviders(_req: Request, res: Response) {
  res.json(oauth.webSignInProviders());
}
