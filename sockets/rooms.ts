/** Every socket of a user joins their room; every socket of a session joins the session's. */
export const userRoom = (userId: string) => `user:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
