/**
 * Issue 12: every index on transactions is written by each start and each stop (a worker-thread
 * profile of session churn puts insertTransaction at a seventh of the writer's time), so each
 * one must serve a read. The ConcurrentTx lookup of a tag is answered by transactions_tag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../main/store/db.js';
import { migrate } from '../../main/store/migrate.js';

test('issue 12: the ConcurrentTx lookup of a tag uses transactions_tag, and transactions carries no index that no read uses (migration 015)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-tx-indexes-'));
  const db = openDb(join(dir, 'edge.sqlite'));
  try {
    migrate(db);
    // The statement of activeTransactionsForTag (store/queries/transactions.ts).
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM transactions WHERE status = 'Active' AND id_tag = ? COLLATE NOCASE AND start_auth_status = 'Accepted'`).all('TAG') as Array<{
      detail: string;
    }>;
    assert.match(plan.map((p) => p.detail).join('\n'), /SEARCH transactions USING INDEX transactions_tag \(id_tag=\? AND status=\?\)/);
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions' AND sql IS NOT NULL ORDER BY name").all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
    assert.deepEqual(indexes, [
      'transactions_active',
      'transactions_charger_id',
      'transactions_cp',
      'transactions_session_uid',
      'transactions_start',
      'transactions_start_identity',
      'transactions_tag',
    ]);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
