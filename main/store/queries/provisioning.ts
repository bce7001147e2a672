import type { Db } from '../db.js';
import { nowIso, stmt } from '../statements.js';

export type ProvisioningStepName = 'created' | 'connected' | 'boot' | 'connector-status' | 'template-key' | 'template-applied' | 'reboot-required' | 'local-list';

export interface ProvisioningStep {
  chargePointId: string;
  step: ProvisioningStepName;
  ok: boolean;
  at: string;
  /** What happened, e.g. {remoteAddress}, {key, status}, {connectorId, status}. */
  detail: Record<string, unknown>;
}

export interface Provisioning {
  chargePointId: string;
  createdAt: string;
  templateAppliedAt: string | null;
  rebootRequired: boolean;
  steps: ProvisioningStep[];
}

type Row = Record<string, unknown>;

export function startProvisioning(db: Db, chargePointId: string, at = nowIso()): void {
  stmt(db, 'INSERT INTO provisioning(charge_point_id, created_at) VALUES (?, ?) ON CONFLICT(charge_point_id) DO NOTHING').run(chargePointId, at);
}

export function isProvisioning(db: Db, chargePointId: string): boolean {
  return stmt(db, 'SELECT 1 FROM provisioning WHERE charge_point_id = ?').get(chargePointId) !== undefined;
}

export function getProvisioning(db: Db, chargePointId: string): Provisioning | undefined {
  const r = stmt(db, 'SELECT * FROM provisioning WHERE charge_point_id = ?').get(chargePointId) as Row | undefined;
  if (!r) return undefined;
  const steps = (stmt(db, 'SELECT * FROM provisioning_steps WHERE charge_point_id = ? ORDER BY id').all(chargePointId) as Row[]).map((s) => ({
    chargePointId,
    step: s.step as ProvisioningStepName,
    ok: s.ok === 1,
    at: s.at as string,
    detail: JSON.parse(s.detail as string),
  }));
  return {
    chargePointId,
    createdAt: r.created_at as string,
    templateAppliedAt: (r.template_applied_at as string) ?? null,
    rebootRequired: r.reboot_required === 1,
    steps,
  };
}

export function addStep(db: Db, s: ProvisioningStep): void {
  stmt(db, 'INSERT INTO provisioning_steps(charge_point_id, at, step, ok, detail) VALUES (?, ?, ?, ?, ?)').run(s.chargePointId, s.at, s.step, s.ok ? 1 : 0, JSON.stringify(s.detail));
}

export function markTemplateApplied(db: Db, chargePointId: string, rebootRequired: boolean, at = nowIso()): void {
  stmt(db, 'UPDATE provisioning SET template_applied_at = ?, reboot_required = ? WHERE charge_point_id = ?').run(at, rebootRequired ? 1 : 0, chargePointId);
}

export function clearRebootRequired(db: Db, chargePointId: string): void {
  stmt(db, 'UPDATE provisioning SET reboot_required = 0 WHERE charge_point_id = ?').run(chargePointId);
}

export interface ConfigTemplate {
  targetGroup: string;
  /** ChangeConfiguration key -> value, applied in this order. */
  keys: Record<string, string>;
  /** Send the local authorization list (Full) after the keys. */
  sendLocalList: boolean;
  updatedAt: string;
}

const toTemplate = (r: Row): ConfigTemplate => ({
  targetGroup: r.target_group as string,
  keys: JSON.parse(r.keys as string),
  sendLocalList: r.send_local_list === 1,
  updatedAt: r.updated_at as string,
});

export function listTemplates(db: Db): ConfigTemplate[] {
  return (stmt(db, 'SELECT * FROM config_templates ORDER BY target_group').all() as Row[]).map(toTemplate);
}

export function getTemplate(db: Db, targetGroup: string): ConfigTemplate | undefined {
  const r = stmt(db, 'SELECT * FROM config_templates WHERE target_group = ?').get(targetGroup) as Row | undefined;
  return r && toTemplate(r);
}

export function putTemplate(db: Db, t: Omit<ConfigTemplate, 'updatedAt'>, at = nowIso()): ConfigTemplate {
  stmt(
    db,
    `INSERT INTO config_templates(target_group, keys, send_local_list, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(target_group) DO UPDATE SET keys = excluded.keys, send_local_list = excluded.send_local_list, updated_at = excluded.updated_at`,
  ).run(t.targetGroup, JSON.stringify(t.keys), t.sendLocalList ? 1 : 0, at);
  return getTemplate(db, t.targetGroup)!;
}

export function deleteTemplate(db: Db, targetGroup: string): boolean {
  return stmt(db, 'DELETE FROM config_templates WHERE target_group = ?').run(targetGroup).changes > 0;
}
