import { Checkbox, Group, Select, SimpleGrid, TextInput, Textarea, PasswordInput } from '@mantine/core'
import type { SecretSlot } from '../../../../shared/inventory'
import type { SslMode } from '../../../../shared/primitives'
import { pointsElsewhere, type EndpointDraft } from './endpoint-draft'

const SSL_MODES: { value: SslMode; label: string }[] = [
  { value: 'verify-full', label: 'verify-full: certificate and host name checked' },
  { value: 'verify-ca', label: 'verify-ca: certificate checked, not the name' },
  { value: 'require', label: 'require: encrypted, certificate unchecked' },
  { value: 'disable', label: 'disable: no TLS' },
]

interface Props {
  draft: EndpointDraft
  sshIds: string[]
  secrets: Record<string, string>
  storedSecrets: string[]
  onChange: (patch: Partial<EndpointDraft>) => void
  onSecret: (slot: SecretSlot, value: string) => void
}

type TextField = { [K in keyof EndpointDraft]-?: EndpointDraft[K] extends string ? K : never }[keyof EndpointDraft]

/** The fields of one endpoint, per kind. Secrets are write-only: a stored one shows as "stored". */
export function EndpointFields({ draft: d, sshIds, secrets, storedSecrets, onChange, onSecret }: Props) {
  const text = (field: TextField, label: string, extra: Record<string, unknown> = {}) => (
    <TextInput label={label} value={d[field]} onChange={(e) => onChange({ [field]: e.currentTarget.value })} {...extra} />
  )
  // a stored secret goes only where it was typed for: one whose endpoint now points elsewhere must be typed again
  const moved = pointsElsewhere(d)
  const secret = (slot: SecretSlot, label: string) => {
    const key = `${d.id}.${slot}`
    const stored = storedSecrets.includes(key)
    return (
      <PasswordInput
        label={label}
        placeholder={stored ? (moved ? 'saved for the old address: type it again' : 'stored (type to replace)') : 'not set'}
        error={stored && moved && !secrets[key] ? 'this endpoint now points elsewhere; the stored one is not sent there' : undefined}
        value={secrets[key] ?? ''}
        onChange={(e) => onSecret(slot, e.currentTarget.value)}
        autoComplete="new-password"
        data-testid={`secret-${slot}`}
      />
    )
  }
  const sshSelect = (field: 'viaSsh' | 'sshHostId' | 'jumpHostId', label: string) => (
    <Select
      label={label}
      clearable
      data={sshIds.filter((i) => i !== d.id)}
      value={d[field] || null}
      onChange={(v) => onChange({ [field]: v ?? '' })}
      placeholder="none"
    />
  )

  const sslFields = (
    <>
      <Select
        label="TLS"
        data={SSL_MODES}
        value={d.sslmode}
        onChange={(v) => onChange({ sslmode: v ?? 'verify-full' })}
        error={
          d.sslmode === 'disable'
            ? 'no TLS: the password and data travel in clear'
            : d.sslmode === 'require' && !d.caFile
              ? 'the certificate is not checked'
              : undefined
        }
        data-testid="field-sslmode"
      />
      {d.sslmode !== 'disable' && text('caFile', 'CA file (PEM; system CAs when empty)', { 'data-testid': 'field-cafile' })}
    </>
  )

  switch (d.kind) {
    case 'ssh':
      return (
        <SimpleGrid cols={3}>
          {text('host', 'Host', { 'data-testid': 'field-host' })}
          {text('port', 'Port')}
          {text('user', 'User')}
          <Select label="Authentication" data={['key', 'agent', 'password']} value={d.authMethod} onChange={(v) => onChange({ authMethod: v ?? 'key' })} />
          {d.authMethod === 'key' && text('keyPath', 'Private key file')}
          {d.authMethod === 'key' && secret('passphrase', 'Key passphrase')}
          {d.authMethod === 'password' && secret('password', 'Password')}
          {sshSelect('jumpHostId', 'Jump host')}
        </SimpleGrid>
      )
    case 'redis-cluster':
    case 'redis-sentinel':
      return (
        <SimpleGrid cols={3}>
          <Textarea
            label={d.kind === 'redis-cluster' ? 'Seed nodes (host:port, one per line)' : 'Sentinels (host:port, one per line)'}
            autosize
            minRows={2}
            value={d.addresses}
            onChange={(e) => onChange({ addresses: e.currentTarget.value })}
            data-testid="field-addresses"
          />
          {d.kind === 'redis-sentinel' && text('masterName', 'Master name')}
          {text('username', 'ACL user (optional)')}
          {secret('password', 'Password')}
          <Group mt="lg">
            <Checkbox label="TLS (certificate and name checked)" checked={d.tls} onChange={(e) => onChange({ tls: e.currentTarget.checked })} />
          </Group>
          {d.tls && text('caFile', 'CA file (PEM; system CAs when empty)', { 'data-testid': 'field-cafile' })}
          {sshSelect('viaSsh', 'Tunnel through')}
          {d.kind === 'redis-cluster' && sshSelect('sshHostId', 'Runs on SSH host')}
        </SimpleGrid>
      )
    case 'mongo':
      return (
        <SimpleGrid cols={3}>
          {text('uri', 'mongos URI (no password)')}
          {secret('password', 'Password')}
          {sshSelect('viaSsh', 'Tunnel through')}
        </SimpleGrid>
      )
    case 'postgres':
      return (
        <SimpleGrid cols={3}>
          <Textarea
            label="Nodes (name host:port, one per line)"
            autosize
            minRows={2}
            value={d.addresses}
            onChange={(e) => onChange({ addresses: e.currentTarget.value })}
            data-testid="field-addresses"
          />
          {text('user', 'User', { 'data-testid': 'field-user' })}
          {secret('password', 'Password')}
          {text('database', 'Database')}
          {sslFields}
          {text('replicationUser', 'Replication user')}
          {secret('replication-password', 'Replication password')}
          {sshSelect('sshHostId', 'Servers run on SSH host')}
          {sshSelect('viaSsh', 'Tunnel through')}
          <Textarea
            label="Patroni REST URLs (one per line, when Patroni manages it)"
            autosize
            minRows={1}
            value={d.patroniUrls}
            onChange={(e) => onChange({ patroniUrls: e.currentTarget.value })}
            data-testid="field-patroni-urls"
          />
        </SimpleGrid>
      )
    case 'pgbouncer':
      return (
        <SimpleGrid cols={3}>
          {text('host', 'Host')}
          {text('port', 'Port')}
          {text('user', 'Admin user')}
          {secret('password', 'Password')}
          {sslFields}
          {text('configPath', 'pgbouncer.ini (to repoint it)')}
          {sshSelect('sshHostId', 'Runs on SSH host')}
          {sshSelect('viaSsh', 'Tunnel through')}
        </SimpleGrid>
      )
    case 'nginx':
      return (
        <SimpleGrid cols={3}>
          {text('statusUrl', 'stub_status URL')}
          {text('configPath', 'Config file (optional)')}
          {sshSelect('sshHostId', 'Runs on SSH host')}
          {sshSelect('viaSsh', 'Tunnel through')}
        </SimpleGrid>
      )
    case 'docker':
      return (
        <SimpleGrid cols={3}>
          <Select label="Connection" data={['socket', 'tcp', 'ssh']} value={d.dockerType} onChange={(v) => onChange({ dockerType: v ?? 'socket' })} />
          {d.dockerType !== 'tcp' && text('socketPath', 'Socket path')}
          {d.dockerType === 'tcp' && text('host', 'Host')}
          {d.dockerType === 'tcp' && text('port', 'Port')}
          {d.dockerType === 'tcp' && (
            <Group mt="lg">
              <Checkbox label="TLS" checked={d.tls} onChange={(e) => onChange({ tls: e.currentTarget.checked })} />
            </Group>
          )}
          {d.dockerType === 'ssh' && sshSelect('sshHostId', 'SSH host')}
          {text('labelFilter', 'Label filter (key=value)')}
        </SimpleGrid>
      )
  }
}
