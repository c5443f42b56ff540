import net from 'node:net'

/** MQTT 3.1.1 packets by hand: tests that misbehave on purpose control every byte. */

function str(s: string): Buffer {
  const b = Buffer.from(s)
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b])
}

/** The variable-length "remaining length" of MQTT [MQTT-2.2.3]. */
function remainingLength(n: number): Buffer {
  const out: number[] = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 128
    out.push(byte)
  } while (n > 0)
  return Buffer.from(out)
}

function packet(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first]), remainingLength(body.length), body])
}

/** CONNECT with a clean session, username and password. */
export function connectPacket(
  clientId: string,
  username: string,
  password: string,
  keepalive: number
): Buffer {
  const flags = 0b11000010
  return packet(
    0x10,
    Buffer.concat([
      str('MQTT'),
      Buffer.from([4, flags, keepalive >> 8, keepalive & 255]),
      str(clientId),
      str(username),
      str(password)
    ])
  )
}

export function subscribePacket(messageId: number, filter: string, qos: 0 | 1): Buffer {
  return packet(
    0x82,
    Buffer.concat([Buffer.from([messageId >> 8, messageId & 255]), str(filter), Buffer.from([qos])])
  )
}

export function publishQos0Packet(topic: string, payload: Buffer): Buffer {
  return packet(0x30, Buffer.concat([str(topic), payload]))
}

/** PUBLISH at QoS 1 with a topic given as raw bytes (invalid UTF-8 and NUL included). */
export function publishQos1RawTopic(topic: Buffer, messageId: number, payload: Buffer): Buffer {
  const name = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 255]), topic])
  return packet(0x32, Buffer.concat([name, Buffer.from([messageId >> 8, messageId & 255]), payload]))
}

/** A raw socket that has sent CONNECT and received CONNACK 0 (rejects on a refusal or a close). */
export function rawConnect(port: number, connect: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(connect))
    socket.on('error', () => undefined)
    socket.once('close', () => reject(new Error('closed before CONNACK')))
    socket.once('data', (data) => {
      if (data[0] === 0x20 && data[3] === 0) resolve(socket)
      else reject(new Error(`CONNACK refused: ${data[3]}`))
    })
  })
}
