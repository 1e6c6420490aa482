import type { Types } from 'mongoose';
import { OAuthIdentity } from '../../models/oauth-identity.model.js';
import { User } from '../../models/user.model.js';

/** Takes every provider off an account (identities and the account's list); returns which there were. */
export async function dropProviderLinks(userId: Types.ObjectId | string): Promise<string[]> {
  const user = await User.findById(userId, { linkedProviders: 1 }).lean();
  const linked = user?.linkedProviders ?? [];
  await OAuthIdentity.deleteMany({ userId });
  if (linked.length) await User.updateOne({ _id: userId }, { $set: { linkedProviders: [] }, $inc: { authVersion: 1 } });
  return linked;
}
