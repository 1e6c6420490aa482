import { User } from '../../../models/user.model.js';
import { notFound } from '../../../utils/app-error.js';
import { bandIndex, coarsePoint, distanceKm } from '../../../utils/geo.js';
import { scoreOf } from '../../people/discovery.service.js';
import { showsDistance } from '../../people/profile.service.js';
import { audit, byStaff, type StaffActor } from '../../audit.service.js';
import { runtime } from '../../runtime-settings.service.js';
import { explainScore, SCALE } from './ranking.js';
import { sideOf, TASTE_FIELDS, variantOf } from './taste.service.js';

/**
 * Why a card ranks where it does in a viewer's discovery (admins): the explicit fit, the
 * learned chances each way and their mutual blend, the newcomer share and the exposure
 * hold-back, under the viewer's variant and the blend in force. The hard filters are not
 * part of a score: a card that fails them is never ranked at all.
 */
export async function explainCard(staff: StaffActor, viewerId: string, candidateId: string) {
  const fields = `${TASTE_FIELDS} location lastActiveAt settings.privacy.showDistance`;
  const [viewer, candidate] = await Promise.all([
    User.findById(viewerId, fields).lean(),
    User.findById(candidateId, fields).lean(),
  ]);
  if (!viewer) throw notFound('Viewer');
  if (!candidate) throw notFound('Candidate');
  const now = Date.now();
  const band =
    viewer.location && candidate.location && showsDistance(candidate)
      ? bandIndex(distanceKm(coarsePoint(viewer.location), coarsePoint(candidate.location)))
      : null;
  const explicit = scoreOf({ interests: viewer.interests ?? [] }, candidate, band, now) / 1000;
  const variant = variantOf(viewerId);
  const { matchingBlend: blend } = runtime();
  const parts = explainScore(sideOf(viewer, now), sideOf(candidate, now), explicit, blend);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  // What the model inferred of two people is sensitive: who looked is recorded.
  await audit({
    userId: viewerId,
    action: 'admin.matching_explained',
    ...byStaff(staff),
    target: { type: 'user', id: candidateId },
  });
  return {
    variant,
    blend,
    score: variant === 'adaptive' ? parts.score / SCALE : explicit,
    parts: {
      explicit: round(parts.explicit),
      viewerInterest: round(parts.viewerInterest),
      candidateInterest: round(parts.theirInterest),
      mutual: round(parts.mutual),
      newcomer: round(parts.newcomer),
      exposure: round(parts.exposure),
    },
    learned: { viewerSignals: sideOf(viewer).model.n, candidateSignals: sideOf(candidate).model.n },
  };
}
