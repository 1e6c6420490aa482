import type { Router } from 'express';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import type { MediaQueue } from '../services/posts/media-queue.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import { adminContentRoutes } from './admin-content.routes.js';
import { adminRoutes } from './admin.routes.js';
import { authRoutes } from './auth.routes.js';
import { rtcRoutes } from './call.routes.js';
import { matchRoutes } from './match.routes.js';
import { oauthRoutes } from './oauth.routes.js';
import { connectionRoutes } from './connection.routes.js';
import { contactRoutes } from './contact.routes.js';
import { conversationRoutes } from './conversation.routes.js';
import { discoveryRoutes } from './discovery.routes.js';
import { feedRoutes } from './feed.routes.js';
import { adminPaymentRoutes, paymentRoutes } from './payment.routes.js';
import { photoRoutes } from './photo.routes.js';
import { bookmarkRoutes } from './bookmark.routes.js';
import { notificationRoutes } from './notification.routes.js';
import { meRoutes, postRoutes } from './post.routes.js';
import { presenceRoutes } from './presence.routes.js';
import { reportRoutes } from './report.routes.js';
import { uploadRoutes } from './upload.routes.js';
import { userRoutes } from './user.routes.js';

export interface MountedRouter {
  /** Path under /api/v1, as written in the OpenAPI document. */
  basePath: string;
  router: Router;
}

/** What routers need from the app: shared rate-limit counters, the media storage and the media queue. */
export interface RouterDeps {
  limit: RateLimiters;
  storage: StorageProvider;
  /** Where new posts' media jobs go. */
  media: MediaQueue;
}

/** Every API router and where it is mounted; the OpenAPI coverage test walks this list. */
export function apiRouters({ limit, storage, media }: RouterDeps): MountedRouter[] {
  return [
    { basePath: '/auth/oauth', router: oauthRoutes(limit) },
    { basePath: '/auth', router: authRoutes(limit) },
    // Before /admin, whose router would otherwise answer /admin/payments first.
    { basePath: '/admin/payments', router: adminPaymentRoutes() },
    { basePath: '/admin/content', router: adminContentRoutes() },
    { basePath: '/admin', router: adminRoutes(limit) },
    // Before /users, whose /:username would otherwise see "me".
    { basePath: '/users/me/photos', router: photoRoutes(storage, limit) },
    { basePath: '/users', router: userRoutes(limit, storage) },
    { basePath: '/reports', router: reportRoutes(limit) },
    { basePath: '/connections', router: connectionRoutes(limit) },
    { basePath: '/contacts', router: contactRoutes(limit) },
    { basePath: '/discover', router: discoveryRoutes(limit) },
    { basePath: '/conversations', router: conversationRoutes(limit, { storage, queue: media }) },
    { basePath: '/presence', router: presenceRoutes(limit) },
    { basePath: '/rtc', router: rtcRoutes(limit) },
    { basePath: '/match', router: matchRoutes(limit) },
    { basePath: '/payments', router: paymentRoutes(limit) },
    { basePath: '/posts', router: postRoutes({ storage, queue: media }, limit) },
    { basePath: '/bookmarks', router: bookmarkRoutes(limit) },
    { basePath: '/notifications', router: notificationRoutes(limit) },
    { basePath: '/me', router: meRoutes() },
    { basePath: '/feed', router: feedRoutes(limit) },
    { basePath: '/uploads', router: uploadRoutes() },
  ];
}
