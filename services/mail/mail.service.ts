import type { Language } from '../../config/constants.js';
import { config } from '../../config/index.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { mailOutcomes } from '../../utils/metrics.js';
import { LogMailProvider } from './log.provider.js';
import type { MailProvider } from './mail.provider.js';
import { SesMailProvider } from './ses.provider.js';
import { renderMail, type MailValues, type TemplateName } from './templates.js';

const provider: MailProvider =
  config.mail.provider === 'ses'
    ? new SesMailProvider({ region: config.mail.region, from: config.mail.from, endpoint: config.mail.sesEndpoint })
    : new LogMailProvider();

/**
 * Sends in the background: the request that triggers a mail answers at once, so
 * its timing never tells whether an account exists. Failures are logged; the promise says
 * whether the provider took the mail, for the few callers that must know.
 */
export function sendMail(template: TemplateName, to: string, values: MailValues, language?: Language): Promise<boolean> {
  const message = renderMail(template, to, values, language);
  return provider.send(message).then(
    () => {
      mailOutcomes.inc({ template, outcome: 'sent' });
      return true;
    },
    (err: unknown) => {
      mailOutcomes.inc({ template, outcome: 'failed' });
      logger.error('mail failed', { template, provider: provider.name, error: errorMessage(err) });
      return false;
    },
  );
}
