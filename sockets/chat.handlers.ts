import {
  deleteMessage,
  editMessage,
  markRead,
  sendMessage,
  syncMessages,
  toggleReaction,
} from '../services/chat/message.service.js';
import { setTyping } from '../services/chat/typing.service.js';
import { onEvent } from './payload.js';
import type { AppSocket } from './socket.types.js';

export function registerChatHandlers(socket: AppSocket): void {
  const me = () => socket.data.user.sub;
  onEvent(socket, 'chat:send', async (p) => (await sendMessage(me(), p)).message);
  onEvent(socket, 'chat:typing', ({ conversationId, isTyping }) => setTyping(me(), conversationId, isTyping));
  onEvent(socket, 'chat:read', ({ conversationId, upToMessageId }) => markRead(me(), conversationId, upToMessageId));
  onEvent(socket, 'chat:react', ({ messageId, emoji }) => toggleReaction(me(), messageId, emoji));
  onEvent(socket, 'chat:edit', ({ messageId, text }) => editMessage(me(), messageId, text));
  onEvent(socket, 'chat:delete', async ({ messageId }) => {
    await deleteMessage(me(), messageId);
    return { id: messageId };
  });
  onEvent(socket, 'chat:sync', ({ since }) => syncMessages(me(), since));
}
