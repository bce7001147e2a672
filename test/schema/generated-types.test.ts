import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { INBOUND_ACTIONS, OUTBOUND_ACTIONS } from '../../main/ocpp/actions.js';
import { GENERATED_FILE, generateTypes } from '../../main/ocpp/schema/generate-types.js';
import { ocpp16Schemas } from '../../main/ocpp/schema/schemas.js';

test('OCPP types are generated from the official 1.6 JSON schemas and up to date (npm run gen:types)', async () => {
  assert.equal(readFileSync(GENERATED_FILE, 'utf8'), await generateTypes(), 'main/ocpp/schema/ocpp16.ts is stale: run npm run gen:types');
});

test('every action of both directions has an official request and confirmation schema', () => {
  const ids = new Set(ocpp16Schemas.map((s) => s.$id));
  for (const a of [...INBOUND_ACTIONS, ...OUTBOUND_ACTIONS]) {
    assert.ok(ids.has(`urn:${a}.req`), `${a}.req`);
    assert.ok(ids.has(`urn:${a}.conf`), `${a}.conf`);
  }
  assert.equal(INBOUND_ACTIONS.length, 10);
  assert.equal(OUTBOUND_ACTIONS.length, 19);
});
