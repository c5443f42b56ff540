import { Command } from 'commander'
import { ROLES } from '../registry/index.js'
import type { ApiClient } from './api-client.js'

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2))

/** Service accounts for scripts and MQTT tools: add (its token printed once), disable, enable, rotate-token. */
export function accountsCommand(
  api: (cmd: Command) => ApiClient,
  withApi: (cmd: Command) => Command
): Command {
  const accounts = withApi(new Command('accounts').description('service accounts for the API and MQTT tools'))
  accounts
    .command('add <name>')
    .description(`create a service account; prints its token once. Roles: ${ROLES.join(', ')}`)
    .requiredOption('--roles <roles>', 'comma-separated roles')
    .option('--outlet <code>', 'bind the account to one service outlet')
    .action(async (name: string, opts: { roles: string; outlet?: string }, cmd: Command) =>
      print(
        await api(cmd).request('POST', '/accounts', {
          name,
          roles: opts.roles.split(',').map((r) => r.trim()),
          outlet: opts.outlet
        })
      )
    )

  for (const action of ['disable', 'enable'] as const)
    accounts
      .command(`${action} <name>`)
      .description(
        action === 'disable'
          ? 'refuse the account from now on (API and MQTT) and close its MQTT sessions'
          : 'let a disabled account in again'
      )
      .action(async (name: string, _o: unknown, cmd: Command) =>
        print(await api(cmd).request('POST', `/accounts/${encodeURIComponent(name)}/${action}`))
      )
  accounts
    .command('rotate-token <name>')
    .description('issue a new token (shown once); the old one stops working and MQTT sessions are closed')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      print(await api(cmd).request('POST', `/accounts/${encodeURIComponent(name)}/token`))
    )
  return accounts
}
