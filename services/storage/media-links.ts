import { config } from '../../config/index.js';
import { MediaLinkSigner } from '../../utils/media-link-signer.js';

/**
 * Post and comment media are private objects (keys under `private/`), handed out only as
 * short-lived signed links to the viewers a post's rules allow; the app checks the link
 * and the post again when it is opened, then serves or redirects to the object.
 */
export const mediaLinks = new MediaLinkSigner(
  config.auth.jwtSecret,
  config.publicUrl,
  config.storage.mediaLinkTtlSeconds,
  config.auth.jwtAcceptedSecrets,
);

/** Keys of private media: never served without a link. */
export const PRIVATE_PREFIX = 'private/';

export const postMediaPrefix = (postId: string) => `${PRIVATE_PREFIX}posts/${postId}`;
export const commentMediaPrefix = (commentId: string) => `${PRIVATE_PREFIX}comments/${commentId}`;
export const chatMediaPrefix = (attachmentId: string) => `${PRIVATE_PREFIX}chat/${attachmentId}`;
