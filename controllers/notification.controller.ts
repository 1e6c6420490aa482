import type { Request, Response } from 'express';
import * as notifications from '../services/notifications/notification.service.js';
import * as rules from '../validators/notification.validators.js';
import { callerId, inputOf, pageOf } from './caller.js';

export async function list(req: Request, res: Response) {
  res.json(await notifications.listNotifications(callerId(req), pageOf(req)));
}

export async function unreadCount(req: Request, res: Response) {
  res.json({ unread: await notifications.unreadCount(callerId(req)) });
}

export async function markRead(req: Request, res: Response) {
  res.json({ notification: await notifications.markRead(callerId(req), inputOf(req, rules.idRules).id) });
}

export async function markAllRead(req: Request, res: Response) {
  res.json(await notifications.markAllRead(callerId(req)));
}

export async function remove(req: Request, res: Response) {
  await notifications.deleteNotification(callerId(req), inputOf(req, rules.idRules).id);
  res.status(204).end();
}

export async function preferences(req: Request, res: Response) {
  res.json({ preferences: await notifications.getPreferences(callerId(req)) });
}

export async function setPreferences(req: Request, res: Response) {
  res.json({ preferences: await notifications.setPreferences(callerId(req), inputOf(req, rules.preferenceRules)) });
}
