import type { Socket } from 'node:net'

/**
 * Aedes (mqtt-packet) buffers a packet whole before parsing it and has no size
 * limit, so a 10 MB PUBLISH would be held in memory. This guard watches the
 * bytes aedes reads from the socket, decodes each fixed header's Remaining
 * Length [MQTT-2.2.3], and closes the connection as soon as a packet declares
 * more than `maxBytes` — before its body is read.
 */
export function guardPacketSize(
  socket: Socket,
  maxBytes: number,
  onOversize: (declared: number) => void
): void {
  let state: 'type' | 'length' | 'body' = 'type'
  let length = 0
  let multiplier = 1
  let remaining = 0
  let tripped = false
  const read = socket.read.bind(socket)

  socket.read = (size?: number) => {
    const chunk = read(size) as Buffer | null
    if (!chunk || tripped) return tripped ? null : chunk
    let i = 0
    while (i < chunk.length) {
      if (state === 'body') {
        const take = Math.min(remaining, chunk.length - i)
        remaining -= take
        i += take
        if (remaining === 0) state = 'type'
      } else if (state === 'type') {
        state = 'length'
        length = 0
        multiplier = 1
        i++
      } else {
        const byte = chunk[i++] ?? 0
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
        if ((byte & 0x80) === 0 || multiplier > 128 ** 4) {
          if (length > maxBytes) {
            tripped = true
            onOversize(length)
            socket.destroy()
            return null
          }
          remaining = length
          state = remaining === 0 ? 'type' : 'body'
        }
      }
    }
    return chunk
  }
}
