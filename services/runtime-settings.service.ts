import type { z } from 'zod';
import { config } from '../config/index.js';
import { RUNTIME_SETTINGS, RuntimeSettings, type RuntimeKey } from '../models/runtime-settings.model.js';
import { AppError } from '../utils/app-error.js';
import { isDuplicateKey } from '../utils/duplicate-key.js';
import { errorMessage, logger } from '../utils/logger.js';
import { audit, byStaff, type StaffActor } from './audit.service.js';

export interface RuntimeValues {
  chatRequiresPlan: boolean;
  postsPerDay: number;
  /** null: no limit (the deployment's own may be unlimited). */
  freeDailyRequests: number | null;
  goldDailyRequests: number | null;
  moderationTerms: readonly string[];
  matchingMode: 'explicit' | 'adaptive' | 'ab';
  matchingBlend: number;
}
/** A change: a value to set, or null to go back to the deployment's own. */
export type RuntimeChanges = Partial<{ [K in RuntimeKey]: z.output<(typeof RUNTIME_SETTINGS)[K]> | null }>;

/** The deployment's own values (environment), in force where admins set nothing. */
export function deployedSettings(): RuntimeValues {
  return {
    chatRequiresPlan: config.chat.requiresPlan,
    postsPerDay: config.posts.perDay,
    freeDailyRequests: config.plans.free.dailyRequests,
    goldDailyRequests: config.plans.gold.dailyRequests,
    moderationTerms: config.posts.moderationTerms,
    matchingMode: config.match.mode,
    matchingBlend: config.match.blend,
  };
}

let current: { version: number; overrides: Partial<RuntimeValues> } = { version: 0, overrides: {} };

/** The settings in force in this process (a read of memory: hot paths call it freely). */
export function runtime(): RuntimeValues {
  return { ...deployedSettings(), ...current.overrides };
}

/** Only known keys with valid values: a version written by an older process cannot break this one. */
function validOverrides(stored: unknown): Partial<RuntimeValues> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((stored ?? {}) as Record<string, unknown>)) {
    // Own keys only: a stored "constructor" is nothing.
    const rule = Object.hasOwn(RUNTIME_SETTINGS, key) ? RUNTIME_SETTINGS[key as RuntimeKey] : undefined;
    const parsed = rule?.safeParse(value);
    if (parsed?.success) out[key] = parsed.data;
  }
  return out as Partial<RuntimeValues>;
}

const latest = () => RuntimeSettings.findOne().sort({ version: -1 }).lean();

/** Reads the newest version into this process. */
export async function refreshRuntimeSettings(): Promise<void> {
  const doc = await latest();
  // Never back: a slow read of an older version does not undo a newer one.
  if (!doc || doc.version <= current.version) return;
  current = { version: doc.version, overrides: validOverrides(doc.overrides) };
  logger.info('runtime settings loaded', { version: doc.version });
}

let poller: NodeJS.Timeout | undefined;

/** Every process loads the settings now and looks for a newer version every few seconds. */
export async function startRuntimeSettings(): Promise<void> {
  await refreshRuntimeSettings().catch((err: unknown) =>
    logger.warn('runtime settings not loaded', { error: errorMessage(err) }),
  );
  if (poller) return;
  poller = setInterval(() => {
    refreshRuntimeSettings().catch((err: unknown) => logger.warn('runtime settings not loaded', { error: errorMessage(err) }));
  }, config.runtimeSettingsPollMs).unref();
}

export function stopRuntimeSettings(): void {
  clearInterval(poller);
  poller = undefined;
}

export async function runtimeSettingsView() {
  const doc = await latest();
  const overrides = validOverrides(doc?.overrides);
  return {
    version: doc?.version ?? 0,
    values: { ...deployedSettings(), ...overrides },
    overrides,
    deployed: deployedSettings(),
    changedBy: doc ? String(doc.changedBy) : null,
    changedAt: doc?.createdAt ?? null,
  };
}

/**
 * A new version: the last one's values with these changes (null: back to the deployment's
 * own). `expectedVersion`, when given, must be the version in force: a change made from a
 * stale screen is refused, not silently merged.
 */
export async function changeRuntimeSettings(staff: StaffActor, changes: RuntimeChanges, expectedVersion?: number, note?: string) {
  const doc = await latest();
  const version = doc?.version ?? 0;
  if (expectedVersion !== undefined && expectedVersion !== version) {
    throw new AppError('SETTINGS_CHANGED', 'The settings changed meanwhile: read them again', { version });
  }
  const before = validOverrides(doc?.overrides);
  const after: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete after[key];
    else after[key] = value;
  }
  try {
    await RuntimeSettings.create({ version: version + 1, overrides: after, changedBy: staff.id, ...(note && { note }) });
  } catch (err) {
    if (isDuplicateKey(err)) throw new AppError('SETTINGS_CHANGED', 'The settings changed meanwhile: read them again');
    throw err;
  }
  await audit({
    action: 'admin.settings_changed',
    ...byStaff(staff),
    target: { type: 'settings', id: String(version + 1) },
    before,
    after,
    ...(note && { detail: { note } }),
  });
  await refreshRuntimeSettings();
  return runtimeSettingsView();
}

export async function runtimeSettingsHistory(limit: number) {
  const versions = await RuntimeSettings.find().sort({ version: -1 }).limit(limit).lean();
  return {
    versions: versions.map((v) => ({
      version: v.version,
      overrides: validOverrides(v.overrides),
      changedBy: String(v.changedBy),
      changedAt: v.createdAt,
      note: v.note ?? null,
    })),
  };
}
