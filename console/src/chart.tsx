import { useEffect, useRef } from 'preact/hooks'
import uPlot, { type AlignedData, type Options } from 'uplot'

/** A uPlot time-series chart that fills its box's width; redrawn when its data changes. */
export function Chart(props: {
  title: string
  options: Omit<Options, 'width' | 'height'>
  data: AlignedData
  height?: number
}) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!box.current) return
    const width = Math.max(280, box.current.clientWidth)
    const plot = new uPlot(
      { ...props.options, title: props.title, width, height: props.height ?? 220 },
      props.data,
      box.current
    )
    return () => plot.destroy()
  }, [props.data])
  return <div class="chart" ref={box} />
}
