import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from './client';
import type { Device, TemplateDraft } from './models';
import type { paths } from './schema';

/** Issue 11, the installer's toolkit: scans, discovered devices, provisioning, templates, password warnings. */

export const useScanDefaults = () => useQuery({ queryKey: ['discovery-defaults'], queryFn: () => unwrap(client.GET('/api/discovery/defaults')), staleTime: Number.POSITIVE_INFINITY });
export const useDevices = () => useQuery({ queryKey: ['devices'], queryFn: () => unwrap(client.GET('/api/discovery/devices')) });
/** A scan's progress: fetched once, then kept live by discovery.scan events (events.ts). */
export const useScan = (id: string | null) =>
  useQuery({ queryKey: ['scan', id], enabled: id !== null, queryFn: () => unwrap(client.GET('/api/discovery/scans/{id}', { params: { path: { id: id! } } })) });

export function useStartScan() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { range: string; ports: number[] }) => unwrap(client.POST('/api/discovery/scan', { body })),
    onSuccess: (scan) => qc.setQueryData(['scan', scan.id], scan),
  });
}
export function useCancelScan() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/discovery/scans/{id}', { params: { path: { id } } })),
    onSuccess: (scan) => qc.setQueryData(['scan', scan.id], scan),
  });
}

export type ProvisionInput = NonNullable<paths['/api/provisioning/chargers']['post']['requestBody']>['content']['application/json'];
export function useProvision() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProvisionInput) => unwrap(client.POST('/api/provisioning/chargers', { body })),
    onSuccess: () => {
      for (const k of [['devices'], ['chargers'], ['security-warnings']]) void qc.invalidateQueries({ queryKey: k });
    },
  });
}
/** The steps: fetched once, then appended to by provisioning.step events (events.ts). */
export const useProvisioning = (cpId: string) => useQuery({ queryKey: ['provisioning', cpId], queryFn: () => unwrap(client.GET('/api/provisioning/{cpId}', { params: { path: { cpId } } })) });
export const rebootCharger = (cpId: string) => unwrap(client.POST('/api/provisioning/{cpId}/reboot', { params: { path: { cpId } } }));

export const useTemplates = () => useQuery({ queryKey: ['templates'], queryFn: () => unwrap(client.GET('/api/provisioning/templates')) });
export function useSaveTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (t: TemplateDraft) => unwrap(client.PUT('/api/provisioning/templates/{group}', { params: { path: { group: t.targetGroup } }, body: { keys: t.keys, sendLocalList: t.sendLocalList } })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['templates'] }),
  });
}
export function useDeleteTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (group: string) => unwrap(client.DELETE('/api/provisioning/templates/{group}', { params: { path: { group } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['templates'] }),
  });
}

export const useSecurityWarnings = () =>
  useQuery({
    queryKey: ['security-warnings'],
    queryFn: () => unwrap(client.GET('/api/security/warnings')),
  });

/** A device's own web page; https when only a TLS port answered. */
export function deviceWebUrl(d: Device): string {
  const web = d.openPorts.find((p) => !p.tls) ?? d.openPorts[0];
  const scheme = web?.tls ? 'https' : 'http';
  const port = web && web.port !== (web.tls ? 443 : 80) ? `:${web.port}` : '';
  return `${scheme}://${d.ip}${port}/`;
}
