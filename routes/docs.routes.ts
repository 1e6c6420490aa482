import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { asyncApiDocument, asyncApiPage } from '../docs/asyncapi.js';
import { openApiDocument } from '../docs/openapi.js';

export function docsRoutes(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  // The Socket.IO events (AsyncAPI 3), and a page to read them. Both built once: the document
  // does not change while the process runs, and both are public.
  const eventsJson = JSON.stringify(asyncApiDocument);
  router.get('/asyncapi.json', (_req, res) => {
    res.type('json').send(eventsJson);
  });
  const eventsPage = asyncApiPage();
  router.get('/events', (_req, res) => {
    res.type('html').send(eventsPage);
  });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/openapi.json' } }));
  return router;
}
