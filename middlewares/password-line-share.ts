import type { Request, RequestHandler, Response } from 'express';
import { keptLaneWouldRefuse, passwordChecks, passwordChecksBusy } from '../services/auth/password.service.js';
import { RateLimitedError } from '../services/limits/action-limiter.js';

/**
 * At most `perAddress` requests of one address in the line of password checks at once (per
 * process, as the line is; PASSWORD_CHECKS_PER_ADDRESS); more are refused (429, Retry-After 1).
 * The line is shared and bounded by time, so without a share a few addresses sending sign-ins
 * as fast as their budgets allow filled it, and everyone else's sign-in was refused as busy.
 * With one, filling it takes many addresses, and anyone else waits behind a few checks per
 * address, not behind a flood. A few, not one: people behind one NAT sign in at once now and then.
 * A line already full answers 503 PASSWORD_CHECKS_BUSY here, before the budgets that follow,
 * unless the request may take the kept lane (`mayKeep`: a sign-in from a device known for a
 * day, which the check itself confirms) and that has room. One request per address at a time may take it
 * (`res.locals.mayTakeKeptLane`): a flood of sign-ins to the flooder's own accounts, each with
 * its own token, needs an address per place.
 * Returns a handler maker: each route's handler counts in the same share.
 */
export function passwordLineShare(
  addressOf: (req: Request) => string,
  perAddress: number,
): (mayKeep?: (req: Request) => boolean) => RequestHandler {
  const inLine = new Map<string, number>();
  const keptCandidates = new Set<string>();
  const handler =
    (mayKeep: (req: Request) => boolean): RequestHandler =>
    (req, res, next) => {
      const address = addressOf(req);
      // The kept lane is for a full line only: no place is held from others behind the address before.
      const full = passwordChecks.wouldRefuse();
      const keeps = full && !keptCandidates.has(address) && mayKeep(req);
      // A full line refuses before any budget is counted: a 503 spends nobody's guesses.
      if (full && (!keeps || keptLaneWouldRefuse())) {
        next(passwordChecksBusy());
        return;
      }
      const held = inLine.get(address) ?? 0;
      if (held >= perAddress) {
        next(new RateLimitedError(1));
        return;
      }
      inLine.set(address, held + 1);
      if (keeps) keptCandidates.add(address);
      res.locals.mayTakeKeptLane = keeps;
      let given = false;
      const giveBack = () => {
        if (given) return;
        given = true;
        clearTimeout(unanswered);
        if (keeps) keptCandidates.delete(address);
        const left = (inLine.get(address) ?? 1) - 1;
        if (left > 0) inLine.set(address, left);
        else inLine.delete(address);
      };
      // Given back when the request is answered, not when its client goes ('close'): a client that
      // hangs up leaves its check in the line, and would else get its place back at once.
      const end = res.end;
      res.end = function (this: Response, ...args: Parameters<Response['end']>) {
        giveBack();
        return end.apply(this, args);
      } as Response['end'];
      // A request never answered (its client gone before an error was sent) gives it back once
      // its check is surely over (the line refuses waits past a few seconds).
      const unanswered = setTimeout(giveBack, UNANSWERED_MS);
      unanswered.unref();
      next();
    };
  return (mayKeep = () => false) => handler(mayKeep);
}

const UNANSWERED_MS = 60_000;
