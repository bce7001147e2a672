import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApp } from '../helpers/app.js';

test('issue 3: /api/openapi.json is a valid OpenAPI 3 document listing every route, open without a token', async () => {
  const app = await startTestApp();
  try {
    const res = await fetch(`${app.httpBase}/api/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[]; responses: Record<string, unknown> }>> };
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
    for (const r of app.routes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.path} is documented`);
      assert.equal(!!op.requestBody, !!r.body, `${r.method} ${r.path} documents its body schema`);
      if (r.open) assert.deepEqual(op.security, [], `${r.path} is documented as open`);
      const codes = Object.keys(op.responses).sort();
      assert.deepEqual(codes, [r.created ? '201' : '200', '400', ...(r.open ? [] : ['401']), '404'].sort(), `${r.method} ${r.path} documents its answers`);
    }
    assert.ok(doc.paths['/api/rfid']?.post?.responses['201'], 'a create answers 201');
    // Every OCPP command is reachable as /api/admin/:cpId/<command>.
    assert.ok(Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin/')).length >= 19);
  } finally {
    await app.dispose();
  }
});
