import type { Request, RequestHandler } from 'express';
import { passwordChecks, passwordChecksBusy } from '../services/auth/password.service.js';
import { RateLimitedError } from '../services/limits/action-limiter.js';

/**
 * At most `perAddress` requests of one address in the line of password checks at once (per
 * process, as the line is; PASSWORD_CHECKS_PER_ADDRESS); more are refused (429, Retry-After 1).
 * The line is shared and bounded by time, so without a share a few addresses sending sign-ins
 * as fast as their budgets allow filled it, and everyone else's sign-in was refused as busy.
 * With one, filling it takes many addresses, and anyone else waits behind a few checks per
 * address, not behind a flood. A few, not one: people behind one NAT sign in at once now and then.
 * A line already full answers 503 PASSWORD_CHECKS_BUSY here, before the budgets that follow.
 */
export function passwordLineShare(addressOf: (req: Request) => string, perAddress: number): RequestHandler {
  const inLine = new Map<string, number>();
  return (req, res, next) => {
    // A full line refuses before any budget is counted: a 503 spends nobody's guesses.
    if (passwordChecks.wouldRefuse()) {
      next(passwordChecksBusy());
      return;
    }
    const address = addressOf(req);
    const held = inLine.get(address) ?? 0;
    if (held >= perAddress) {
      next(new RateLimitedError(1));
      return;
    }
    inLine.set(address, held + 1);
    // 'close' comes once, whether the response was sent or the client went away.
    res.once('close', () => {
      const left = (inLine.get(address) ?? 1) - 1;
      if (left > 0) inLine.set(address, left);
      else inLine.delete(address);
    });
    next();
  };
}
