import {
  deleteMessage,
  editMessage,
  markRead,
  sendMessage,
  syncMessages,
  toggleReaction,
} from '../services/chat/message.service.js';
import { setTyping } from '../services/chat/typing.service.js';
import type { EventHandlers } from './payload.js';
import type { AppSocket } from './socket.types.js';

const me = (socket: AppSocket) => socket.data.user.sub;

export const chatHandlers: EventHandlers = {
  'chat:send': async (socket, p) => (await sendMessage(me(socket), p)).message,
  'chat:typing': (socket, { conversationId, isTyping }) => setTyping(me(socket), conversationId, isTyping),
  'chat:read': (socket, { conversationId, upToMessageId }) => markRead(me(socket), conversationId, upToMessageId),
  'chat:react': (socket, { messageId, emoji }) => toggleReaction(me(socket), messageId, emoji),
  'chat:edit': (socket, { messageId, text }) => editMessage(me(socket), messageId, text),
  'chat:delete': async (socket, { messageId }) => {
    await deleteMessage(me(socket), messageId);
    return { id: messageId };
  },
  'chat:sync': (socket, { since }) => syncMessages(me(socket), since),
};
