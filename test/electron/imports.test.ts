/**
 * issue 9 / DESIGN "One core, two shells": only the Electron entry, the preload and the IPC
 * adapter import `electron`; exactly one file imports `ipcMain`, one `ipcRenderer`; the
 * preload reaches nothing but `electron` and the contract; the contract is types only.
 * Checked on the real sources with the TypeScript parser.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sources(p);
    return /\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

interface ModuleUse {
  specifier: string;
  names: string[];
}

/** Every module a file reaches: static imports and re-exports, import(), require(), with the names it takes. */
function moduleUses(file: string): ModuleUse[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const uses: ModuleUse[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const names: string[] = [];
      const clause = ts.isImportDeclaration(node) ? node.importClause : undefined;
      if (clause?.name) names.push(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.push((el.propertyName ?? el.name).text);
      if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
      uses.push({ specifier: node.moduleSpecifier.text, names });
    } else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) uses.push({ specifier: node.arguments[0].text, names: ['*'] });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses;
}

const files = ['main', 'preload', 'renderer'].flatMap((d) => sources(join(root, d))).map((f) => ({ path: relative(root, f), uses: moduleUses(f) }));
const importing = (pred: (u: ModuleUse) => boolean) =>
  files
    .filter((f) => f.uses.some(pred))
    .map((f) => f.path)
    .sort();
const fromElectron = (u: ModuleUse) => u.specifier === 'electron' || u.specifier.startsWith('electron/');

test('issue 9: only the Electron entry, the IPC adapter and the preload import electron', () => {
  assert.ok(files.length > 50, `scanned only ${files.length} files`);
  assert.deepEqual(importing(fromElectron), ['main/desktop/ipc-main.ts', 'main/index.ts', 'preload/index.ts']);
});

test('issue 9: one file imports ipcMain (the IPC adapter), one imports ipcRenderer (the preload)', () => {
  assert.deepEqual(
    importing((u) => fromElectron(u) && (u.names.includes('ipcMain') || u.names.includes('*'))),
    ['main/desktop/ipc-main.ts'],
  );
  assert.deepEqual(
    importing((u) => fromElectron(u) && u.names.includes('ipcRenderer')),
    ['preload/index.ts'],
  );
});

test('issue 9: the preload reaches only electron and the contract (it cannot import main/)', () => {
  for (const f of files.filter((x) => x.path.startsWith('preload/'))) {
    for (const u of f.uses) assert.ok(u.specifier === 'electron' || u.specifier === './contract.js', `${f.path} imports ${u.specifier}`);
  }
});

test('issue 9: the IPC contract is types only (no runtime code crosses into main, preload or renderer)', () => {
  const out = ts.transpileModule(readFileSync(join(root, 'preload/contract.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  assert.equal(out.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').trim(), 'export {};');
});

test('issue 9: the Electron entry builds its window from the tested options and registers the guarded IPC adapter', () => {
  const entry = readFileSync(join(root, 'main/index.ts'), 'utf8');
  assert.equal(entry.match(/new BrowserWindow\(/g)?.length, 1);
  assert.match(entry, /new BrowserWindow\(mainWindowOptions\(/);
  assert.match(entry, /contentSecurityPolicy\(origin\)/);
  assert.match(entry, /setWindowOpenHandler\([\s\S]*?action: 'deny'/);
  assert.match(entry, /requestSingleInstanceLock\(\)/);
  assert.match(entry, /registerDesktopIpc\(/);
});
