/** Text files bundled into the main process by Vite (built-in procedures). */
declare module '*.yaml?raw' {
  const text: string
  export default text
}
