/** Every socket of a user joins their room (a session's sockets are found by their claims). */
export const userRoom = (userId: string) => `user:${userId}`;
