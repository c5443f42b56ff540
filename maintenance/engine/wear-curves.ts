/** The powers of use tried: 1 is the straight line; above it, wear that speeds up. */
const POWERS = Array.from({ length: 21 }, (_, i) => 1 + i / 10)

/** value = a + b·uᵖ through a part's condition readings, u its use since the fit, and the squared error left. */
export interface PowerFit {
  p: number
  a: number
  b: number
  rss: number
}

/**
 * The least-squares fit of value = a + b·uᵖ for the powers p from 1 to 3 in tenths, and in quarter-tenths
 * around the best of them (one pass over the readings per power). A parabola (a fixed power of 2) bends too
 * hard for wear growing as u^1.5 and crosses early.
 */
export function fitPowers(readings: readonly { used: number; value: number }[]): PowerFit[] | undefined {
  const n = readings.length
  if (n < 8) return undefined
  const logs = new Float64Array(n)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const r = readings[i] as { used: number; value: number }
    if (r.used < 0) return undefined
    logs[i] = Math.log(r.used) // −Infinity at 0: u^p = 0
    values[i] = r.value
  }
  let sy = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sy += values[i] as number
    syy += (values[i] as number) ** 2
  }
  const fit = (p: number): PowerFit | undefined => {
    let sx = 0
    let sxx = 0
    let sxy = 0
    for (let i = 0; i < n; i++) {
      const x = Math.exp(p * (logs[i] as number))
      sx += x
      sxx += x * x
      sxy += x * (values[i] as number)
    }
    const vxx = sxx - (sx * sx) / n
    if (!(vxx > 0)) return undefined
    const vxy = sxy - (sx * sy) / n
    const b = vxy / vxx
    return { p, a: (sy - b * sx) / n, b, rss: Math.max(0, syy - (sy * sy) / n - b * vxy) }
  }
  const fits: PowerFit[] = []
  for (const p of POWERS) {
    const f = fit(p)
    if (!f) return undefined
    fits.push(f)
  }
  // a finer look around the best power: a tenth of a power moves a far crossing by a few per cent
  const best = fits.reduce((a, b) => (b.rss < a.rss ? b : a))
  for (const step of [-3, -2, -1, 1, 2, 3]) {
    const p = best.p + step * 0.025
    const f = p >= 1 && p <= 3 ? fit(p) : undefined
    if (f) fits.push(f)
  }
  return fits
}
