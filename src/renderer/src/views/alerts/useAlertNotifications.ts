import { notifications } from '@mantine/notifications'
import { useEffect } from 'react'
import { describeAlert, notifies } from '../../../../shared/domain/alert-eval'
import { api } from '../../api'
import { navigate } from '../../routes'

/**
 * For as long as the app is open: alert changes from the main process become a toast and, when
 * the user allowed it, a desktop notification (the Notification API: native in Electron, the
 * browser's in web mode); either opens the Alerts view of that environment.
 */
export function useAlertNotifications(): void {
  useEffect(() => {
    const watch = () => void api.request('alerts:watch', {}).catch(() => undefined)
    const off = api.on('alerts:changed', (a) => {
      if (!notifies(a, Date.now())) return
      const title = `${a.environment}: ${a.state === 'resolved' ? 'resolved' : `${a.level} alert`}`
      const message = describeAlert(a)
      const open = () => navigate('alerts', a.environment)
      notifications.show({
        title,
        message,
        color: a.state === 'resolved' ? 'teal' : a.level === 'critical' ? 'red' : 'yellow',
        onClick: open,
        autoClose: 10_000,
      })
      if ('Notification' in window && Notification.permission === 'granted') new Notification(title, { body: message, tag: a.key }).onclick = open
    })
    const offReconnect = api.onReconnect(watch)
    watch()
    return () => {
      off()
      offReconnect()
    }
  }, [])
}
