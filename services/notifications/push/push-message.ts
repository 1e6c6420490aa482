/** What a device shows: short text, and what the app opens when it is tapped. */
export interface PushMessage {
  title: string;
  body: string;
  data: Record<string, string>;
}

/** How one send ended: delivered, the device is gone for good (remove it), or a failure to log. */
export type PushOutcome = 'sent' | 'gone' | 'failed';
