import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { asyncApiDocument, asyncApiPage } from '../docs/asyncapi.js';
import { openApiDocument } from '../docs/openapi.js';

export function docsRoutes(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  // The Socket.IO events (AsyncAPI 3), and a page to read them.
  router.get('/asyncapi.json', (_req, res) => {
    res.json(asyncApiDocument);
  });
  // Built once: the document does not change while the process runs, and the page is public.
  const eventsPage = asyncApiPage();
  router.get('/events', (_req, res) => {
    res.type('html').send(eventsPage);
  });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/openapi.json' } }));
  return router;
}
