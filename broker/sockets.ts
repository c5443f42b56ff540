import type net from 'node:net'
import type { Client } from 'aedes'

/** Listens and resolves with the bound port (0 picks a free one). */
export function bind<S extends net.Server>(
  server: S,
  host: string,
  port: number
): Promise<{ server: S; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve({ server, port: (server.address() as net.AddressInfo).port })
    })
  })
}

/** The remote address of a client's socket, for per-address limits and logs. */
export function remoteAddress(client: Client): string {
  const conn = (client as unknown as { conn?: { remoteAddress?: string } }).conn
  return conn?.remoteAddress ?? 'unknown'
}
