import type { Request, Response } from 'express';
import { addContactByEmail } from '../services/connections/contact.service.js';
import { callerId, inputOf } from './caller.js';
import { contactRules } from '../validators/connection.validators.js';

/** A request by email: the same answer whether or not an account uses the address. */
export async function addContact(req: Request, res: Response) {
  await addContactByEmail(callerId(req), inputOf(req, contactRules).email);
  res.status(202).json({ message: 'If an account uses this email, it has your connection request.' });
}
