import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  Available: 'green',
  Preparing: 'cyan',
  Charging: 'blue',
  SuspendedEV: 'yellow',
  SuspendedEVSE: 'yellow',
  Finishing: 'cyan',
  Reserved: 'grape',
  Unavailable: 'gray',
  Faulted: 'red',
  Unknown: 'gray',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <Badge color={COLORS[status] ?? 'gray'} variant="light" aria-label={label ? `${label}: ${status}` : status}>
      {label ? `${label} ${status}` : status}
    </Badge>
  );
}

export function OnlineBadge({ online }: { online: boolean }) {
  return (
    <Badge color={online ? 'green' : 'gray'} variant="filled">
      {online ? 'Online' : 'Offline'}
    </Badge>
  );
}
