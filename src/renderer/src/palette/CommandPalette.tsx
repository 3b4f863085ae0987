import { Spotlight, type SpotlightActionGroupData } from '@mantine/spotlight'
import { useMemo } from 'react'
import type { EnvironmentView } from '../../../shared/inventory'
import { navViews } from '../navigation'
import { navigate } from '../routes'
import { viewForEndpoint } from '../systems'
import { useCurrentViewActions } from './palette-actions'

/** The nodes an endpoint names in the inventory, as "label  address". */
function inventoryNodes(e: EnvironmentView['environment']['endpoints'][number]): string[] {
  switch (e.kind) {
    case 'redis-cluster':
      return e.seeds.map((s) => `${s.host}:${s.port}`)
    case 'redis-sentinel':
      return e.sentinels.map((s) => `${s.host}:${s.port}`)
    case 'postgres':
      return e.nodes.map((n) => `${n.name} ${n.host}:${n.port}`)
    case 'ssh':
      return [`${e.user}@${e.host}:${e.port}`]
    default:
      return []
  }
}

/**
 * Ctrl/Cmd+K: jump to any view, environment, system or node, and start any action the view on
 * screen offers, by typing.
 */
export function CommandPalette({ environments }: { environments: readonly EnvironmentView[] }) {
  const viewActions = useCurrentViewActions()
  const actions = useMemo<SpotlightActionGroupData[]>(() => {
    const groups: SpotlightActionGroupData[] = []
    if (viewActions.length)
      groups.push({ group: 'This view', actions: viewActions.map((a) => ({ id: `act-${a.id}`, label: a.label, description: a.description, onClick: a.run })) })
    groups.push({ group: 'Views', actions: navViews.map((v) => ({ id: `view-${v.id}`, label: v.label, onClick: () => navigate(v.id) })) })
    groups.push({
      group: 'Environments',
      actions: environments.map(({ environment: env }) => ({
        id: `env-${env.name}`,
        label: env.name,
        description: [env.description, `${env.endpoints.length} endpoints`, env.readOnly ? 'read-only' : ''].filter(Boolean).join(' · '),
        onClick: () => {
          navigate('overview')
          requestAnimationFrame(() => document.querySelector(`[data-testid="env-${CSS.escape(env.name)}"]`)?.scrollIntoView())
        },
      })),
    })
    const systems = []
    const nodes = []
    for (const { environment: env } of environments)
      for (const e of env.endpoints) {
        const view = viewForEndpoint(e.kind)
        const open = () => (view ? navigate(view.id, env.name, e.id) : navigate('overview'))
        systems.push({ id: `sys-${env.name}-${e.id}`, label: e.name, description: `${env.name} · ${view?.label ?? e.kind}`, onClick: open })
        for (const n of inventoryNodes(e)) nodes.push({ id: `node-${env.name}-${e.id}-${n}`, label: n, description: `${env.name} · ${e.name}`, onClick: open })
      }
    groups.push({ group: 'Systems', actions: systems }, { group: 'Nodes', actions: nodes })
    return groups
  }, [environments, viewActions])
  return (
    <Spotlight
      actions={actions}
      shortcut={['mod + K']}
      limit={40}
      highlightQuery
      nothingFound="Nothing matches"
      searchProps={{ placeholder: 'Jump to a view, environment, system or node, or run an action…' }}
      scrollAreaProps={{ mah: 480 }}
    />
  )
}
