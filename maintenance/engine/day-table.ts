/**
 * One device's per-day rows packed in typed arrays: a day column and up to
 * three named number columns (NaN: no value). A fleet's year of history is
 * then a few arrays per device instead of an object per day, which the
 * garbage collector would otherwise walk on every major collection (at
 * 100,000 devices that was ~150 million objects and most of the pass).
 */
export class DayTable<C extends string> {
  private dayColumn: Int32Array
  private readonly columns: Float64Array[]
  private size = 0

  constructor(
    private readonly names: readonly C[],
    capacity = 8
  ) {
    if (names.length < 1 || names.length > 3) throw new Error('a DayTable has one to three columns')
    this.dayColumn = new Int32Array(capacity)
    this.columns = names.map(() => new Float64Array(capacity))
  }

  get length(): number {
    return this.size
  }

  /** Makes room for `more` rows at once (a whole series from one query answer). */
  reserve(more: number): void {
    const need = this.size + more
    if (need <= this.dayColumn.length) return
    const capacity = Math.max(need, Math.ceil(this.dayColumn.length * 1.5))
    const days = new Int32Array(capacity)
    days.set(this.dayColumn.subarray(0, this.size))
    this.dayColumn = days
    for (let c = 0; c < this.columns.length; c++) {
      const grown = new Float64Array(capacity)
      grown.set((this.columns[c] as Float64Array).subarray(0, this.size))
      this.columns[c] = grown
    }
  }

  /** Appends a row: its day and the values in the order of the column names. */
  push(day: number, a: number, b = NaN, c = NaN): void {
    if (this.size === this.dayColumn.length) this.reserve(1)
    const i = this.size++
    this.dayColumn[i] = day
    const [x, y, z] = this.columns
    if (x) x[i] = a
    if (y) y[i] = b
    if (z) z[i] = c
  }

  day(i: number): number {
    return this.dayColumn[i] ?? NaN
  }

  get(name: C, i: number): number {
    return this.columns[this.names.indexOf(name)]?.[i] ?? NaN
  }

  /** A column's values, index for index with the days (a view: valid until the next push). */
  column(name: C): Float64Array {
    return (this.columns[this.names.indexOf(name)] ?? new Float64Array(0)).subarray(0, this.size)
  }

  /** The index of `day` (days sorted), or -1. */
  indexOf(day: number): number {
    let lo = 0
    let hi = this.size - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const d = this.dayColumn[mid] ?? 0
      if (d === day) return mid
      if (d < day) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  /** The first index whose day is `day` or later (days sorted); `length` when there is none. */
  firstFrom(day: number): number {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.dayColumn[mid] ?? 0) < day) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Keeps the rows whose day passes `test`, in order. */
  keep(test: (day: number) => boolean): void {
    let out = 0
    for (let i = 0; i < this.size; i++) {
      const day = this.dayColumn[i] ?? 0
      if (!test(day)) continue
      if (out !== i) {
        this.dayColumn[out] = day
        for (const col of this.columns) col[out] = col[i] ?? NaN
      }
      out++
    }
    this.size = out
  }

  /** Sorts the rows by day (stable); cheap when they already are. */
  sortByDay(): void {
    let sorted = true
    for (let i = 1; i < this.size && sorted; i++)
      sorted = (this.dayColumn[i - 1] ?? 0) <= (this.dayColumn[i] ?? 0)
    if (sorted) return
    const order = Array.from({ length: this.size }, (_, i) => i).sort(
      (a, b) => (this.dayColumn[a] ?? 0) - (this.dayColumn[b] ?? 0) || a - b
    )
    this.dayColumn.set(order.map((i) => this.dayColumn[i] ?? 0))
    for (const col of this.columns) col.set(order.map((i) => col[i] ?? NaN))
  }

  /** The rows as arrays of exactly their length (copies), for a snapshot on disk. */
  packed(): PackedDayTable<C> {
    return {
      names: [...this.names],
      days: this.dayColumn.slice(0, this.size),
      columns: this.columns.map((col) => col.slice(0, this.size))
    }
  }

  /** A table from what `packed` gave (its arrays are taken, not copied). */
  static fromPacked<C extends string>(p: PackedDayTable<C>): DayTable<C> {
    const whole =
      p.columns.length === p.names.length && p.columns.every((col) => col.length === p.days.length)
    if (!whole) throw new Error('a packed DayTable needs one column a name, each as long as its days')
    const table = new DayTable<C>(p.names, 0)
    table.dayColumn = p.days
    p.columns.forEach((col, c) => (table.columns[c] = col))
    table.size = p.days.length
    return table
  }

  /** The rows as objects (for one device at a time: they are garbage right after). */
  rows(): ({ day: number } & Record<C, number>)[] {
    return Array.from({ length: this.size }, (_, i) => {
      const row: Record<string, number> = { day: this.dayColumn[i] ?? 0 }
      this.names.forEach((name, c) => (row[name] = this.columns[c]?.[i] ?? NaN))
      return row as { day: number } & Record<C, number>
    })
  }
}

/** A DayTable as plain arrays (what v8.serialize writes and reads back). */
export interface PackedDayTable<C extends string> {
  names: C[]
  days: Int32Array
  columns: Float64Array[]
}

/** What every table offers whatever its columns (for code that only trims and sorts). */
export type AnyDayTable = Pick<DayTable<string>, 'length' | 'day' | 'keep' | 'sortByDay'>
