import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { MailMessage, MailProvider } from './mail.provider.js';

export interface SesSettings {
  region: string;
  from: string;
  /** A local stand-in's URL in tests and development; unset on AWS. */
  endpoint?: string;
}

/** Amazon SES through the v1 SendEmail API; credentials come from the SDK's default chain. */
export class SesMailProvider implements MailProvider {
  readonly name = 'ses';
  private readonly client: SESClient;

  constructor(private readonly settings: SesSettings) {
    this.client = new SESClient({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      // A try that hangs is given up (the SDK's default waits for ever): callers that must know
      // whether a mail went (an admin's alert) hold a claim while they wait.
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.client.send(
      new SendEmailCommand({
        Source: this.settings.from,
        Destination: { ToAddresses: [message.to] },
        Message: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      }),
    );
  }
}
