import { expect } from 'chai';
import { eventually } from './eventually.js';

interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

const endpoint = () => process.env.SES_ENDPOINT!;

/** Every message the SES stand-in received for this address. */
export async function mailsTo(address: string): Promise<StoredEmail[]> {
  const res = await fetch(`${endpoint()}/store`);
  const { emails } = (await res.json()) as { emails: StoredEmail[] };
  return emails.filter((e) => e.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
}

/** Waits for the n-th message to an address whose subject matches (mail is sent in the background). */
export async function waitForMail(address: string, subject: RegExp, count = 1): Promise<StoredEmail> {
  let matching: StoredEmail[] = [];
  await eventually(
    async () => {
      matching = (await mailsTo(address)).filter((m) => subject.test(m.subject));
      return matching.length >= count;
    },
    3000,
    `mail "${subject}" #${count} to ${address}`,
  );
  return matching[count - 1]!;
}

/** The token in a link such as https://app/verify-email?token=XYZ. */
export function tokenFrom(mail: StoredEmail): string {
  const match = /token=([A-Za-z0-9_-]+)/.exec(mail.body.text ?? '');
  expect(match, 'token link in mail').to.not.equal(null);
  return match![1]!;
}

/** Makes SES refuse every mail (503) until switched back: the front in test/run.ts stages the outage. */
export async function mailOutage(on: boolean): Promise<void> {
  await switchMailFront(on ? 'on' : 'off');
}

/** Holds every mail unanswered (a send under way) until switched back, when the held ones go on. */
export async function holdMail(on: boolean): Promise<void> {
  await switchMailFront(on ? 'hold' : 'off');
}

async function switchMailFront(mode: 'on' | 'hold' | 'off'): Promise<void> {
  const res = await fetch(`${endpoint()}/__outage`, { method: 'POST', body: mode });
  expect(await res.text()).to.equal(mode);
}
