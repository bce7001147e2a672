/**
 * issue 8 "one write path": outside the store, nothing writes the database but the op tables the
 * group-commit writer runs (ocpp/ops.ts here; store/admin-ops.ts lives in the store). A REST
 * route or a command effect that calls a writing query function, or uses the connection's own
 * write API, would write past the writer's commit order and outage policy. Checked on the real
 * sources with the TypeScript parser; the few start-up/shutdown writes are listed by name.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);

/** The connection's own API outside the store (db.prepare/transaction/exec/pragma, stmt): writes can hide there; reads belong in store/queries. */
const CONNECTION_WRITES = new Set(['prepare', 'transaction', 'exec', 'pragma']);
const OP_TABLES = new Set(['writeOps', 'v201WriteOps', 'adminOps', 'syncOps', 'discoveryOps', 'loadOps']);
const isDb = (e: ts.Expression) => (ts.isIdentifier(e) && e.text === 'db') || (ts.isPropertyAccessExpression(e) && e.name.text === 'db');

function calledNames(node: ts.Node): { names: Set<string>; writesItself: boolean } {
  const names = new Set<string>();
  let writesItself = false;
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (ts.isIdentifier(callee)) names.add(callee.text);
      if (ts.isPropertyAccessExpression(callee)) {
        names.add(callee.name.text);
        if (callee.name.text === 'run' || callee.name.text === 'transaction' || callee.name.text === 'exec') writesItself = true;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return { names, writesItself };
}

/** Exported query functions that write: they run a statement, or call one that does (to a fixpoint). */
function writingQueryFunctions(): Set<string> {
  const fns = new Map<string, { names: Set<string>; writesItself: boolean }>();
  for (const file of sources(join(root, 'main/store/queries'))) {
    parse(file).forEachChild((n) => {
      if (ts.isFunctionDeclaration(n) && n.name && n.body && n.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        assert.ok(!fns.has(n.name.text), `query function names are unique (${n.name.text})`);
        fns.set(n.name.text, calledNames(n.body));
      }
    });
  }
  const writing = new Set([...fns].filter(([, f]) => f.writesItself).map(([name]) => name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, f] of fns) {
      if (!writing.has(name) && [...f.names].some((n) => writing.has(n))) grew = !!writing.add(name);
    }
  }
  return writing;
}

function enclosingFunction(n: ts.Node): string {
  for (let p = n.parent; p; p = p.parent) {
    if ((ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p)) && p.name) return p.name.getText();
    if ((ts.isArrowFunction(p) || ts.isFunctionExpression(p)) && ts.isVariableDeclaration(p.parent)) return p.parent.name.getText();
    if ((ts.isArrowFunction(p) || ts.isFunctionExpression(p)) && ts.isPropertyAssignment(p.parent)) return p.parent.name.getText();
  }
  return '(module)';
}

/** Every direct write in a file, as "file function: what". */
function directWrites(file: string, writing: Set<string>): string[] {
  const sf = parse(file);
  const path = relative(root, file);
  const imported = new Set<string>();
  const namespaces = new Set<string>();
  sf.forEachChild((n) => {
    if (!ts.isImportDeclaration(n) || !ts.isStringLiteral(n.moduleSpecifier) || !/store\/(queries\/|statements)/.test(n.moduleSpecifier.text)) return;
    const b = n.importClause?.namedBindings;
    if (b && ts.isNamedImports(b)) for (const el of b.elements) imported.add(el.name.text);
    if (b && ts.isNamespaceImport(b)) namespaces.add(b.name.text);
  });
  const found: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      const c = n.expression;
      let what: string | null = null;
      if (ts.isIdentifier(c) && imported.has(c.text) && (writing.has(c.text) || c.text === 'stmt')) what = c.text;
      if (ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && namespaces.has(c.expression.text) && writing.has(c.name.text)) what = c.name.text;
      if (ts.isPropertyAccessExpression(c) && CONNECTION_WRITES.has(c.name.text) && isDb(c.expression)) what = `db.${c.name.text}`;
      // An op called as a plain function runs outside the writer's transaction and queue.
      if (ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && OP_TABLES.has(c.expression.text)) what = `${c.expression.text}.${c.name.text}`;
      if (what) found.push(`${path} ${enclosingFunction(n)}: ${what}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/**
 * The only direct writes outside the store, each with its reason: the chargers' op table (run by
 * the writer), and start-up/shutdown writes made before the service takes requests or after the
 * writer has closed.
 */
const ALLOWED = new Map<string, string>([
  ['main/ocpp/ops.ts', 'the OCPP op table: runs inside the writer'],
  ['main/ocpp/v201/ops.ts', 'the OCPP 2.0.1 ops, part of the OCPP op table (writeOps): run inside the writer'],
  ['main/app.ts createApp: markAllDisconnected', 'start-up, before any charger connects'],
  ['main/app.ts stop: markAllDisconnected', 'shutdown, after writer.close()'],
  ['main/api/token.ts ensureApiToken: setSetting', 'start-up, before the API serves'],
]);

test('issue 8: routes and command effects never write the database directly; every write outside the store goes through the writer', () => {
  const writing = writingQueryFunctions();
  // The scan must see the writers it guards against, or it proves nothing.
  for (const name of ['insertIdTag', 'updateCharger', 'insertAudit', 'saveLocalList', 'setPendingPassword', 'createReservation', 'setSetting', 'insertTransaction']) {
    assert.ok(writing.has(name), `${name} is recognised as a write`);
  }
  for (const name of ['getCharger', 'listIdTags', 'getSetting', 'listSessions']) assert.ok(!writing.has(name), `${name} is a read`);

  const files = sources(join(root, 'main')).filter((f) => !relative(root, f).startsWith('main/store/'));
  assert.ok(files.some((f) => f.includes('main/api/routes/')) && files.some((f) => f.includes('main/commands/effects/')), 'routes and command effects are scanned');
  const found = files.flatMap((f) => directWrites(f, writing));
  const unexpected = found.filter((w) => !ALLOWED.has(w) && !ALLOWED.has(w.split(' ')[0]!));
  assert.deepEqual(unexpected, [], 'direct database writes outside the writer (route them through store/admin-ops.ts)');
  // Every allowance is still used: a stale one would let a new write through unnoticed.
  for (const entry of ALLOWED.keys())
    assert.ok(
      found.some((w) => w === entry || w.startsWith(`${entry} `)),
      `allowed write still exists: ${entry}`,
    );
});
