import { Alert, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useLoad, useLoadAlert } from '../../api/load';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ChargerBars } from './ChargerBars';
import { Circuits } from './Circuits';
import { Priorities } from './Priorities';
import { SiteChart } from './SiteChart';
import { SiteLimitForm } from './SiteLimitForm';

/** Issue 13: the site limit, its circuits and priorities, and the shares in force, live. */
export function LoadScreen() {
  const load = useLoad();
  const alert = useLoadAlert();
  const data = load.data;
  if (load.isError) return <ErrorNotice error={load.error} title="Cannot load the load management state" />;
  if (!data) return <Skeleton h={300} />;
  const over = data.siteLimitAmps !== null && data.measuredAmps > data.siteLimitAmps;
  return (
    <Stack>
      <Title order={2}>Load management</Title>
      {alert.data?.kind === 'load-over-limit' && (
        <Alert color="red" title="Site over its limit" role="alert">
          {alert.data.message}
        </Alert>
      )}
      <Group gap="xl">
        <Text>
          Limit: <b data-testid="site-limit">{data.siteLimitAmps === null ? 'none' : `${data.siteLimitAmps} A`}</b>
        </Text>
        <Text>
          Allocated: <b data-testid="site-allocated">{data.allocatedAmps.toFixed(1)} A</b>
        </Text>
        <Text c={over ? 'red' : undefined}>
          Measured: <b data-testid="site-measured">{data.measuredAmps.toFixed(1)} A</b>
          {over && ' (over the limit)'}
        </Text>
      </Group>
      <SiteLimitForm load={data} />
      <SiteChart load={data} updatedAt={load.dataUpdatedAt} />
      <ChargerBars chargers={data.chargers} />
      <Circuits load={data} />
      <Priorities load={data} />
    </Stack>
  );
}
