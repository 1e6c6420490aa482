import type { Request, Response } from 'express';
import * as notifications from '../services/notifications/notification.service.js';
import * as devices from '../services/notifications/push/devices.service.js';
import { getPreferences, setPreferences as updatePreferences } from '../services/notifications/preferences.service.js';
import * as rules from '../validators/notification.validators.js';
import { callerId, inputOf, pageOf, sessionOf } from './caller.js';

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
  res.json(await getPreferences(callerId(req)));
}

export async function setPreferences(req: Request, res: Response) {
  res.json(await updatePreferences(callerId(req), inputOf(req, rules.preferenceRules)));
}

export function pushSetup(_req: Request, res: Response) {
  res.json(devices.pushSetup());
}

export async function listDevices(req: Request, res: Response) {
  res.json({ devices: await devices.listDevices(callerId(req)) });
}

export async function registerDevice(req: Request, res: Response) {
  res.status(201).json({ device: await devices.registerDevice(callerId(req), sessionOf(req), inputOf(req, rules.deviceRules)) });
}

export async function removeDevice(req: Request, res: Response) {
  await devices.removeDevice(callerId(req), inputOf(req, rules.idRules).id);
  res.status(204).end();
}
