export interface AttachmentView {
  id: string;
  kind: 'image' | 'video' | 'voice' | 'file' | 'photo';
  name?: string;
  url?: string;
  urls?: Record<string, string>;
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  text?: string;
  attachment?: AttachmentView;
  reactions: Record<string, number>;
  editedAt?: string;
  deletedAt?: string;
  createdAt: string;
}

export interface Conversation {
  id: string;
  type: 'direct' | 'group' | 'match';
  name?: string;
  memberIds: string[];
  lastMessageAt: string | null;
  unread: number;
}

/** Inserts or replaces by id, keeping the order of the conversation's numbers. */
export function upsertMessages(list: Message[], incoming: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

export const newClientMessageId = () => `web_${crypto.randomUUID().replace(/-/g, '')}`;
