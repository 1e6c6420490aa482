import { errorMessage, logger } from '../../utils/logger.js';
import { noteTaste } from '../match/taste/signals.js';
import { isInGoodStanding } from './standing.js';
import { User } from '../../models/user.model.js';
import { ageOn } from '../../utils/age.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { coarseDistanceKm, coarsePoint, distanceBand, geoCellsOf, hiddenRegionCellOf, type LatLng } from '../../utils/geo.js';
import { nameSearchKeys } from '../../utils/search-keys.js';
import { isBlockedEitherWay } from './block.service.js';
import { photoView, type PhotoView } from './photo.service.js';
import { CARD_SOURCE_FIELDS, getOwnUser, type CardSource, type OwnUser } from './user.service.js';
import { announceVisibility } from '../presence/presence.service.js';

/** What the owner may change; anything else never reaches the database. */
export interface ProfileUpdate {
  firstName?: string;
  lastName?: string;
  gender?: string;
  bio?: string;
  country?: string;
  language?: string;
  interests?: string[];
  preference?: string;
  lookingFor?: { genders?: string[]; minAge?: number; maxAge?: number; maxDistanceKm?: number };
  locationConsent?: boolean;
  location?: { lat: number; lng: number };
  settings?: {
    notifications?: { email?: boolean; push?: boolean; requests?: string };
    privacy?: { showAge?: boolean; showDistance?: boolean; readReceipts?: boolean; discoverable?: boolean };
  };
}

/**
 * A location as stored: the centre of its ~1 km grid cell (never the point itself), plus
 * the grid cells that make "within N km" an index lookup.
 */
export function storedLocation(point: { lat: number; lng: number }, showsDistance = true) {
  const coarse = coarsePoint(point);
  return {
    location: { ...coarse, updatedAt: new Date() },
    geoCells: [...geoCellsOf(coarse), ...(showsDistance ? [] : [hiddenRegionCellOf(coarse)])],
  };
}

/** Whether a person lets others see how far they are (the default). */
export const showsDistance = (u: { settings?: { privacy?: { showDistance?: boolean | null } | null } | null }) =>
  u.settings?.privacy?.showDistance !== false;

/** Nested objects become dotted paths, so a partial update never wipes sibling fields. */
function flatten(prefix: string, value: Record<string, unknown>, out: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) flatten(path, v as Record<string, unknown>, out);
    else out[path] = v;
  }
}

const consentRequired = () => new AppError('LOCATION_CONSENT_REQUIRED', 'Send locationConsent: true with a location');

export async function updateProfile(userId: string, update: ProfileUpdate): Promise<OwnUser> {
  const { location, locationConsent, ...rest } = update;
  const $set: Record<string, unknown> = {};
  flatten('', rest as Record<string, unknown>, $set);
  const $unset: Record<string, 1> = {};
  const hasLocation = location !== undefined && Number.isFinite(location.lat) && Number.isFinite(location.lng);
  const { minAge, maxAge } = update.lookingFor ?? {};
  // One read, only when a rule needs what is stored: earlier consent, or the other age bound.
  const renamed = update.firstName !== undefined || update.lastName !== undefined;
  // Hiding or showing distance moves the person in or out of the hidden-region cell.
  const showChanges = update.settings?.privacy?.showDistance !== undefined;
  const needsCurrent = hasLocation || showChanges || minAge !== undefined || maxAge !== undefined || renamed;
  const current = needsCurrent
    ? await User.findById(userId, {
        locationConsent: 1,
        lookingFor: 1,
        firstName: 1,
        lastName: 1,
        username: 1,
        location: 1,
        'settings.privacy.showDistance': 1,
      }).lean()
    : null;
  const willShow = update.settings?.privacy?.showDistance ?? (current ? showsDistance(current) : true);
  if (renamed && current) {
    Object.assign(
      $set,
      nameSearchKeys({
        firstName: update.firstName ?? current.firstName,
        lastName: update.lastName ?? current.lastName,
        username: current.username,
      }),
    );
  }

  if (locationConsent === false) {
    // Withdrawing consent deletes the stored location, not just hides it.
    $set.locationConsent = false;
    $unset.location = 1;
    $unset.geoCells = 1;
  } else {
    if (locationConsent === true) $set.locationConsent = true;
    if (hasLocation) {
      if (locationConsent !== true && !current?.locationConsent) {
        throw consentRequired();
      }
      $set.locationConsent = true;
      Object.assign($set, storedLocation(location, willShow));
    } else if (showChanges && current?.location) {
      $set.geoCells = storedLocation(current.location, willShow).geoCells;
    }
  }
  if ((minAge ?? current?.lookingFor?.minAge ?? 18) > (maxAge ?? current?.lookingFor?.maxAge ?? 120)) {
    throw new AppError('INVALID_AGE_RANGE', 'minAge must not exceed maxAge');
  }
  // Consent read from the store holds only while it is stored: a withdrawal landing between
  // that read and this write must win, not be overwritten by the location it was sent beside.
  const consentFromStore = hasLocation && locationConsent !== true;
  // Cells recomputed from the stored place hold only while that place is stored: a withdrawal
  // (or a move) landing in between must not get cells back (discovery finds people by them).
  const cellsFromStore = !hasLocation && locationConsent !== false && $set.geoCells !== undefined;
  const res = await User.updateOne(
    // Never onto a deleted account (a request in flight when it went).
    {
      _id: userId,
      deletedAt: null,
      ...(consentFromStore ? { locationConsent: true } : {}),
      ...(cellsFromStore ? { locationConsent: true, 'location.updatedAt': current?.location?.updatedAt ?? null } : {}),
    },
    { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) },
    { runValidators: true },
  );
  if (res.matchedCount === 0) {
    const exists = (consentFromStore || cellsFromStore) && (await User.exists({ _id: userId, deletedAt: null }));
    if (exists && consentFromStore) throw consentRequired();
    if (exists) throw new AppError('CONCURRENT_UPDATE', 'Your location changed at the same moment; try again');
    throw notFound('User');
  }
  return getOwnUser(userId);
}

export async function updateStatus(
  userId: string,
  status: { availability?: string; availableForMatching?: boolean },
): Promise<OwnUser> {
  const $set: Record<string, unknown> = {};
  if (status.availability !== undefined) $set.availability = status.availability;
  if (status.availableForMatching !== undefined) $set.availableForMatching = status.availableForMatching;
  if (Object.keys($set).length === 0) throw new AppError('VALIDATION_FAILED', 'Send availability or availableForMatching');
  // Whether this switches invisibility (two switches at once may both announce: the last wins).
  const before = await User.findOne({ _id: userId, deletedAt: null }, { availability: 1 }).lean();
  // Never onto a deleted account (availableForMatching back on for a shell).
  const res = await User.updateOne({ _id: userId, deletedAt: null }, { $set }, { runValidators: true });
  if (!before || res.matchedCount === 0) throw notFound('User');
  const wasInvisible = before.availability === 'invisible';
  if (status.availability !== undefined && wasInvisible !== (status.availability === 'invisible')) {
    // Saved either way: a presence store away (Redis) must not turn the saved change into a 500.
    await announceVisibility(userId, wasInvisible).catch((err: unknown) =>
      logger.error('announcing a visibility change failed', { userId, error: errorMessage(err) }),
    );
  }
  return getOwnUser(userId);
}

export const PUBLIC_SOURCE_FIELDS = `${CARD_SOURCE_FIELDS} gender bio preference bannedAt suspendedUntil gallery`;

/** Another user in a list (search, discovery): enough to recognise and choose them. */
export interface UserCard {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  age?: number;
  interests: string[];
  avatar: PhotoView | null;
  verifiedBadge: boolean;
  distance?: string;
}

export interface PublicProfile extends UserCard {
  gender: string;
  bio: string;
  preference: string;
  gallery: PhotoView[];
}

/**
 * A user as others may see them: an age, never the birth date; a distance band, never
 * coordinates; never email or phone; each only when their privacy settings allow.
 */
export function toUserCard(user: CardSource, viewerLocation?: LatLng | null): UserCard {
  const privacy = user.settings?.privacy;
  const card: UserCard = {
    id: String(user._id),
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    interests: user.interests ?? [],
    avatar: user.avatar ? photoView(user.avatar) : null,
    verifiedBadge: Boolean(user.verifiedBadge),
  };
  if (privacy?.showAge !== false) card.age = ageOn(user.dateOfBirth);
  if (showsDistance(user) && user.location && viewerLocation) {
    card.distance = distanceBand(coarseDistanceKm(viewerLocation, user.location));
  }
  return card;
}

/** Another user's profile; blocked either way, banned, suspended or missing: 404. */
export async function getPublicProfile(viewerId: string, username: string): Promise<PublicProfile> {
  const user = await User.findOne({ username: username.toLowerCase() }, PUBLIC_SOURCE_FIELDS).lean();
  if (!user || (String(user._id) !== viewerId && !isInGoodStanding(user))) throw notFound('User');
  if (String(user._id) !== viewerId && (await isBlockedEitherWay(viewerId, user._id))) throw notFound('User');
  const viewer = user.location ? await User.findById(viewerId, { location: 1 }).lean() : null;
  noteTaste(viewerId, user._id, 'view');
  return toPublicProfile(user, viewer?.location);
}

type ProfileSource = CardSource & {
  gender: string;
  bio?: string | null;
  preference: string;
  gallery?: Parameters<typeof photoView>[0][] | null;
};

/** The public view of a user read with PUBLIC_SOURCE_FIELDS. */
export function toPublicProfile(user: ProfileSource, viewerLocation?: LatLng | null): PublicProfile {
  return {
    ...toUserCard(user, viewerLocation),
    gender: user.gender,
    bio: user.bio ?? '',
    preference: user.preference,
    gallery: (user.gallery ?? []).map(photoView),
  };
}
