import { AsyncLocalStorage } from 'node:async_hooks';

/** What is known of the request a piece of work runs for: its id, for the audit trail. */
export interface RequestScope {
  requestId: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `work` (the rest of a request's handling) inside the request's scope. */
export function inRequestScope<T>(value: RequestScope, work: () => T): T {
  return scope.run(value, work);
}

/** The request being handled, if any (jobs and scripts have none). */
export function currentRequest(): RequestScope | undefined {
  return scope.getStore();
}
