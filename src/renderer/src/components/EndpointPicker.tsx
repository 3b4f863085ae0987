import { Group, Select } from '@mantine/core'
import { useMemo, useState } from 'react'
import type { EndpointKind } from '../../../shared/inventory'
import { useRequest } from '../hooks/useRequest'
import { parseHash, routeHash } from '../routes'

export interface EndpointChoice {
  environment: string
  endpointId: string
}

/** Pick one endpoint of a kind across environments; remembers the choice in the URL hash. */
export function useEndpointPicker(kind: EndpointKind) {
  const list = useRequest('env:list', {})
  const options = useMemo(
    () =>
      (list.data ?? []).flatMap((v) =>
        v.environment.endpoints
          .filter((e) => e.kind === kind)
          .map((e) => ({ value: `${v.environment.name}/${e.id}`, label: `${v.environment.name} · ${e.name}` })),
      ),
    [list.data, kind],
  )
  const route = parseHash(location.hash)
  const [picked, setValue] = useState<string | null>(route.environment && route.endpointId ? `${route.environment}/${route.endpointId}` : null)
  // What was picked while it exists, else the first endpoint of this kind.
  const value = options.some((o) => o.value === picked) ? picked : (options[0]?.value ?? null)
  const choice = useMemo<EndpointChoice | undefined>(
    () => (value ? { environment: value.split('/')[0]!, endpointId: value.split('/')[1]! } : undefined),
    [value],
  )
  const picker = (
    <Group gap="xs">
      <Select
        w={320}
        data={options}
        value={value}
        onChange={(v) => {
          setValue(v)
          if (v) history.replaceState(null, '', routeHash({ viewId: route.viewId, environment: v.split('/')[0], endpointId: v.split('/')[1] }))
        }}
        placeholder={list.loading ? 'loading…' : 'no endpoint of this kind'}
        data-testid="endpoint-picker"
        allowDeselect={false}
      />
    </Group>
  )
  const endpoint = choice
    ? list.data?.find((v) => v.environment.name === choice.environment)?.environment.endpoints.find((e) => e.id === choice.endpointId)
    : undefined
  const readOnly = choice ? (list.data?.find((v) => v.environment.name === choice.environment)?.environment.readOnly ?? false) : false
  return { choice, endpoint, picker, readOnly, empty: !list.loading && options.length === 0 }
}
