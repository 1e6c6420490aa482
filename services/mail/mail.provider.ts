export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Anything that can deliver a message: SES in production, the log locally. */
export interface MailProvider {
  readonly name: string;
  send(message: MailMessage): Promise<void>;
}
