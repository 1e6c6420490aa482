import type { Request, RequestHandler, Response } from 'express';
import type { OAuthProvider } from '../models/oauth-identity.model.js';
import * as oauth from '../services/auth/oauth/oauth.service.js';
import type { ProviderCredential } from '../services/auth/oauth/providers.js';
import { clientInfo, sendSession } from './auth.cookies.js';
import { callerId } from './caller.js';

/** Sign-in: 200 with a session, or 202 with the profile fields still needed before the account exists. */
export const signIn =
  (provider: OAuthProvider): RequestHandler =>
  async (req, res) => {
    const result = await oauth.signInWithProvider(provider, req.input as ProviderCredential, clientInfo(req));
    if (result.status === 'signed_in') {
      sendSession(req, res, result);
    } else {
      res.status(202).json(result);
    }
  };

export async function completeSignup(req: Request, res: Response) {
  sendSession(req, res, await oauth.completeSignup(req.input as oauth.CompleteSignupInput, clientInfo(req)), 201);
}

export const link =
  (provider: OAuthProvider): RequestHandler =>
  async (req, res) => {
    res.json(await oauth.linkProvider(callerId(req), req.auth!.sid, provider, req.input as ProviderCredential));
  };

export async function unlink(req: Request, res: Response) {
  res.json(await oauth.unlinkProvider(callerId(req), req.auth!.sid, req.input.provider as OAuthProvider));
}

export async function listMethods(req: Request, res: Response) {
  res.json(await oauth.listSignInMethods(callerId(req)));
}
