import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { API_TYPES_FILE, generateApiTypes } from '../../main/api/ui-generate-client.js';

test('issue 9: the UI client types are generated from /api/openapi.json and up to date (npm run gen:api)', async () => {
  assert.equal(readFileSync(API_TYPES_FILE, 'utf8'), await generateApiTypes(), 'renderer/api/schema.d.ts is stale: run npm run gen:api');
});
