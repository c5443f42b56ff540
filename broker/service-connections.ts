import type { Client } from 'aedes'
import { CONNACK } from './authenticate.js'

/**
 * The live connections of each service account on this node, held to a cap: a reconnect of a client id
 * the account holds replaces it and is not counted twice.
 */
export class ServiceConnections {
  private readonly byAccount = new Map<string, Set<Client>>()

  constructor(private readonly cap: number) {}

  add(name: string, client: Client): void {
    const set = this.byAccount.get(name) ?? new Set<Client>()
    set.add(client)
    this.byAccount.set(name, set)
  }

  remove(name: string, client: Client): void {
    const set = this.byAccount.get(name)
    set?.delete(client)
    if (set?.size === 0) this.byAccount.delete(name)
  }

  /**
   * Takes a place for `client` — at authentication, so two CONNECTs racing each other cannot both slip
   * under the cap — or throws a CONNACK refusal when `name` already holds its cap of other live connections.
   */
  claim(name: string, client: Client): void {
    const held = this.byAccount.get(name) ?? new Set<Client>()
    // a connection that closed before it was ready never reached clientDisconnect: let its place go
    for (const c of held) if (c.closed) held.delete(c)
    const live = [...held].filter((c) => c.id !== client.id)
    if (live.length >= this.cap)
      throw Object.assign(
        new Error(
          `service account ${name} already holds ${live.length} connections (MQTT_SERVICE_CONNECTIONS)`
        ),
        { returnCode: CONNACK.notAuthorized }
      )
    this.add(name, client)
  }
}
