import { Button, Code, Group, Modal, ScrollArea } from '@mantine/core'

/** Save text as a file the browser (or Electron) downloads. */
function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A report (incident or procedure run) as Markdown on screen, with Markdown and HTML downloads and a printable HTML page. */
export function ReportModal({ report, name, onClose }: { report?: { markdown: string; html: string }; name: string; onClose: () => void }) {
  const print = () => {
    const url = URL.createObjectURL(new Blob([report!.html], { type: 'text/html' }))
    window.open(url, '_blank', 'noopener')
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
  }
  return (
    <Modal opened={!!report} onClose={onClose} size="xl" title="Report">
      {report && (
        <>
          <Group mb="sm">
            <Button size="xs" variant="light" onClick={() => download(`${name}.md`, report.markdown, 'text/markdown')}>
              Download Markdown
            </Button>
            <Button size="xs" variant="light" onClick={() => download(`${name}.html`, report.html, 'text/html')}>
              Download HTML
            </Button>
            <Button size="xs" variant="light" onClick={print}>
              Open printable page (PDF)
            </Button>
          </Group>
          <ScrollArea h={520}>
            <Code block data-testid="report-markdown" style={{ whiteSpace: 'pre-wrap' }}>
              {report.markdown}
            </Code>
          </ScrollArea>
        </>
      )}
    </Modal>
  )
}
