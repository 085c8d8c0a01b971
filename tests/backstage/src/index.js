// The backend of a new Backstage app (@backstage/create-app's
// packages/backend/src/index.ts), reduced to the parts this test needs:
// createBackend() from @backstage/backend-defaults and one plugin that uses the
// database (the catalog). No app-backend: Backstage's own readiness endpoint,
// /.backstage/health/v1/readiness, is served by backend-defaults itself.
// Plain CommonJS, so no TypeScript build step; run it as a new app's Dockerfile
// runs packages/backend:
//   NODE_ENV=production node src/index.js --config app-config.yaml --config app-config.production.yaml
'use strict';

const { createBackend } = require('@backstage/backend-defaults');

const backend = createBackend();

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));

backend.start();
