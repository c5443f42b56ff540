import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

describe('EMQX’s HTTP authenticator and authoriser, answered by aftercare', () => {
  let app: TestAftercare
  let broker = ''
  let consumerToken = ''
  let secret = ''
  const ask = async (path: 'authn' | 'authz', body: object, token = broker) => {
    const res = await app.api.inject({
      method: 'POST',
      url: `/broker/${path}`,
      headers: { authorization: `Bearer ${token}` },
      payload: body
    })
    return { status: res.statusCode, body: res.json<{ result: string; is_superuser?: boolean }>() }
  }

  beforeAll(async () => {
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0 })
    broker = (await app.registry.createAccount('emqx', ['mqtt-auth'])).token
    consumerToken = (await app.registry.createAccount('consumer', ['mqtt-read'])).token
    secret = (await app.provision({ id: 'emq-1' })).secret
    await app.provision({ id: 'emq-2' })
  })
  afterAll(async () => app?.close())

  it('when a device connects with its secret, then allow; a wrong secret or another client id, deny; an unknown username, ignore', async () => {
    expect(await ask('authn', { clientid: 'emq-1', username: 'emq-1', password: secret })).toEqual({
      status: 200,
      body: { result: 'allow', is_superuser: false }
    })
    // the second time comes from the verified-credentials cache
    expect((await ask('authn', { clientid: 'emq-1', username: 'emq-1', password: secret })).body.result).toBe(
      'allow'
    )
    expect(
      (await ask('authn', { clientid: 'emq-1', username: 'emq-1', password: 'wrong-secret' })).body.result
    ).toBe('deny')
    expect((await ask('authn', { clientid: 'emq-2', username: 'emq-1', password: secret })).body.result).toBe(
      'deny'
    )
    expect((await ask('authn', { clientid: 'nobody', username: 'nobody', password: 'x' })).body.result).toBe(
      'ignore'
    )
    await app.registry.setDisabled('emq-2', true)
    const rotated = await app.registry.rotateSecret('emq-2')
    expect(
      (await ask('authn', { clientid: 'emq-2', username: 'emq-2', password: rotated.secret })).body.result
    ).toBe('deny')
  })

  it('when the consumer’s service account connects with its token, then allow; with another token, deny', async () => {
    expect(
      (await ask('authn', { clientid: 'aftercare-1', username: 'svc:consumer', password: consumerToken }))
        .body.result
    ).toBe('allow')
    expect(
      (await ask('authn', { clientid: 'aftercare-1', username: 'svc:consumer', password: broker })).body
        .result
    ).toBe('deny')
  })

  it('when a device publishes or subscribes, then only its own telemetry, events and commands are allowed; the consumer may read every device', async () => {
    const device = (topic: string, action: string) =>
      ask('authz', { clientid: 'emq-1', username: 'emq-1', topic, action })
    expect((await device('devices/emq-1/telemetry', 'publish')).body.result).toBe('allow')
    expect((await device('devices/emq-1/events', 'publish')).body.result).toBe('allow')
    expect((await device('devices/emq-2/telemetry', 'publish')).body.result).toBe('deny')
    expect((await device('devices/emq-1/commands/reboot', 'publish')).body.result).toBe('deny')
    expect((await device('devices/emq-1/commands/#', 'subscribe')).body.result).toBe('allow')
    expect((await device('devices/+/telemetry', 'subscribe')).body.result).toBe('deny')
    expect((await device('$share/aftercare/devices/+/telemetry', 'subscribe')).body.result).toBe('deny')
    const consumer = (topic: string, action: string) =>
      ask('authz', { clientid: 'aftercare-1', username: 'svc:consumer', topic, action })
    expect((await consumer('$share/aftercare/devices/+/telemetry', 'subscribe')).body.result).toBe('allow')
    expect((await consumer('devices/emq-1/telemetry', 'publish')).body.result).toBe('deny')
    expect((await ask('authz', { username: 'stranger', topic: 'a/b', action: 'publish' })).body.result).toBe(
      'ignore'
    )
  })

  it('when the endpoints are called without the mqtt-auth role, then they refuse', async () => {
    expect(
      (await ask('authn', { clientid: 'emq-1', username: 'emq-1', password: secret }, consumerToken)).status
    ).toBe(403)
  })
})
