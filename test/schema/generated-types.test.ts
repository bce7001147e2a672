import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { INBOUND_ACTIONS, OUTBOUND_ACTIONS } from '../../main/ocpp/actions.js';
import { GENERATED, generateTypes } from '../../main/ocpp/schema/generate-types.js';
import { ocpp16Schemas } from '../../main/ocpp/schema/schemas.js';
import * as v201 from '../../main/ocpp/v201/actions.js';
import { ocpp201Schemas } from '../../main/ocpp/v201/schemas.js';

for (const spec of GENERATED) {
  test(`${spec.label} types are generated from the official JSON schemas and up to date (npm run gen:types; issue 14: one adapter per version)`, async () => {
    assert.equal(readFileSync(spec.file, 'utf8'), await generateTypes(spec), `${spec.file} is stale: run npm run gen:types`);
  });
}

test('every 1.6 action of both directions has an official request and confirmation schema', () => {
  const ids = new Set(ocpp16Schemas.map((s) => s.$id));
  for (const a of [...INBOUND_ACTIONS, ...OUTBOUND_ACTIONS]) {
    assert.ok(ids.has(`urn:${a}.req`), `${a}.req`);
    assert.ok(ids.has(`urn:${a}.conf`), `${a}.conf`);
  }
  assert.equal(INBOUND_ACTIONS.length, 10);
  assert.equal(OUTBOUND_ACTIONS.length, 19);
});

test('issue 14: every 2.0.1 action of both directions the issue lists has an official request and response schema', () => {
  const ids = new Set(ocpp201Schemas.map((s) => s.$id));
  for (const a of [...v201.INBOUND_ACTIONS, ...v201.OUTBOUND_ACTIONS]) {
    assert.ok(ids.has(`urn:${a}.req`), `${a}.req`);
    assert.ok(ids.has(`urn:${a}.conf`), `${a}.conf`);
  }
  assert.equal(v201.INBOUND_ACTIONS.length, 13);
  assert.equal(v201.OUTBOUND_ACTIONS.length, 20);
});
