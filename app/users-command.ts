import { Command, Option } from 'commander'
import { USER_ROLES, type User } from '../registry/index.js'
import type { ApiClient } from './api-client.js'
import { table } from './table.js'

type Api = (cmd: Command) => ApiClient

/** Reads a password piped in (`--password-stdin`), so it never shows in the shell's history. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** People who sign in to the console: add, list, set a password, disable, enable. */
export function usersCommand(api: Api, withApi: (cmd: Command) => Command): Command {
  const users = withApi(
    new Command('users').description(
      'people who sign in to the console (/console), with one role and maybe one outlet'
    )
  )
  users
    .command('add')
    .description('add a person; prints a generated password once unless --password-stdin')
    .requiredOption('--name <name>', 'their sign-in name: 2-64 lower-case letters, digits, _ . @ -')
    .addOption(new Option('--role <role>', 'what they do').choices(USER_ROLES).makeOptionMandatory())
    .option('--outlet <code>', 'the one outlet whose orders and devices they work on')
    .option('--password-stdin', 'read the password (10+ characters) from stdin instead')
    .addHelpText('after', '\nExample:\n  aftercare users add --name li-wei --role technician --outlet sh-01')
    .action(
      async (
        opts: { name: string; role: string; outlet?: string; passwordStdin?: boolean },
        cmd: Command
      ) => {
        const password = opts.passwordStdin ? await readStdin() : undefined
        const answer = (await api(cmd).request('POST', '/users', {
          name: opts.name,
          role: opts.role,
          outlet: opts.outlet,
          password
        })) as { user: User; password?: string }
        console.log(
          `added ${answer.user.name} (${answer.user.role}${answer.user.outlet ? `, outlet ${answer.user.outlet}` : ''})`
        )
        if (answer.password) console.log(`password: ${answer.password}   (shown once; sign in at /console)`)
      }
    )
  users
    .command('list', { isDefault: true })
    .description('every person, their role, outlet and whether they are locked or disabled')
    .option('--json', 'JSON for scripts')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { users: all } = (await api(cmd).request('GET', '/users')) as { users: User[] }
      if (opts.json) return console.log(JSON.stringify(all, null, 2))
      console.log(
        table(
          ['name', 'role', 'outlet', 'state'],
          all.map((u) => [
            u.name,
            u.role,
            u.outlet ?? 'every outlet',
            u.disabled
              ? 'disabled'
              : u.lockedUntil && Date.parse(u.lockedUntil) > Date.now()
                ? `locked until ${u.lockedUntil}`
                : 'active'
          ])
        )
      )
    })
  users
    .command('password <name>')
    .description(
      'set a new password (generated and printed once unless --password-stdin); ends their sessions and clears a lock-out'
    )
    .option('--password-stdin', 'read the password from stdin')
    .action(async (name: string, opts: { passwordStdin?: boolean }, cmd: Command) => {
      const password = opts.passwordStdin ? await readStdin() : undefined
      const answer = (await api(cmd).request('POST', `/users/${encodeURIComponent(name)}/password`, {
        password
      })) as { password?: string }
      console.log(answer.password ? `password: ${answer.password}   (shown once)` : 'password set')
    })
  for (const action of ['disable', 'enable'] as const)
    users
      .command(`${action} <name>`)
      .description(
        action === 'disable'
          ? 'refuse their sign-in from now on and end their sessions'
          : 'let them sign in again'
      )
      .action(async (name: string, _o: unknown, cmd: Command) => {
        await api(cmd).request('POST', `/users/${encodeURIComponent(name)}/${action}`)
        console.log(`${name} ${action}d`)
      })
  return users
}
