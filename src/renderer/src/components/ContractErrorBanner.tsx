import { Alert, CloseButton, Group, Text } from '@mantine/core'
import { useEffect, useState } from 'react'
import { api } from '../api'
import type { ContractError } from '../api-client'

/**
 * Says so when an update from main did not match the contract and was dropped: without it the view
 * that update feeds would simply stop changing. Shows the channel and the first mismatch.
 */
export function ContractErrorBanner() {
  const [error, setError] = useState<ContractError | null>(null)
  useEffect(() => api.onContractError(setError), [])
  if (!error) return null
  return (
    <Alert color="red" mb="sm" data-testid="contract-error" title={`Updates on ${error.channel} are being dropped`}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text size="sm">
          An update did not match what this window expects ({error.problem}), so what it feeds may be out of date. The window and the app behind it are probably
          of different versions: reload, or update Switchyard.
        </Text>
        <CloseButton aria-label="Dismiss" onClick={() => setError(null)} />
      </Group>
    </Alert>
  )
}
