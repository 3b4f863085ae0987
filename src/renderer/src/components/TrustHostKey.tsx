import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core'
import { useState } from 'react'
import type { HostKeyInfo } from '../../../shared/health'
import { api, errorText } from '../api'

/**
 * An SSH host's first key, shown with its fingerprint: nothing was sent to the host. Trusting it
 * needs a look at the fingerprint and a confirmation that names the host.
 */
export function TrustHostKey({ hostKey, onTrusted }: { hostKey: HostKeyInfo; onTrusted?: () => void }) {
  const [open, setOpen] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const target = `${hostKey.host}:${hostKey.port}`
  const trust = async () => {
    setBusy(true)
    try {
      await api.request('hostkey:trust', { host: hostKey.host, port: hostKey.port, algorithm: hostKey.algorithm, fingerprint: hostKey.fingerprint })
      setOpen(false)
      onTrusted?.()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <Button size="compact-xs" variant="light" color="orange" onClick={() => setOpen(true)} data-testid="trust-host-key">
        Check fingerprint…
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Trust the SSH host key of ${target}?`} size="lg">
        <Stack gap="sm">
          <Text size="sm">
            Switchyard has never seen this host. Nothing — no password, no key — has been sent to it. Compare this fingerprint with the server&apos;s own before
            you trust it (on the server: <Code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</Code>).
          </Text>
          <Code block data-testid="host-key-fingerprint">
            {hostKey.algorithm} {hostKey.fingerprint}
          </Code>
          {error && (
            <Text size="sm" c="red">
              {error}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button color="orange" loading={busy} onClick={() => void trust()} data-testid="confirm-trust-host-key">
              Trust {target}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}
