import type { ReplicaGroup } from '../../../../shared/systems/docker'
import type { AppTier, UpstreamView } from '../../../../shared/systems/nginx'

export function groupOf(tier: AppTier, u: UpstreamView): ReplicaGroup | undefined {
  return tier.groups.find((g) => g.key === u.group)
}
