import type { DeviceKind } from '../../shared/index.js'
import { modelOf, modelsOfKind, type Catalogue } from './catalogue.js'

/** What provisioning says of a device: the fields the catalogue and the outlets check. */
export interface DeviceFacts {
  kind: DeviceKind
  model: string
  region: string
  outlet?: string | null
}

/**
 * Checks a device against the catalogue in use and the service outlets: its model must be one the
 * catalogue describes, of the device's kind; its outlet must exist and cover its region. Each issue names
 * the field and lists what is known, so the person provisioning can fix it.
 */
export function deviceIssues(
  catalogue: Catalogue,
  outlets: ReadonlyMap<string, readonly string[]>,
  d: DeviceFacts
): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = []
  const model = modelOf(catalogue, d.model)
  if (!model)
    issues.push({
      field: 'model',
      message: `unknown model ${d.model}; the catalogue's ${d.kind} models are ${modelsOfKind(catalogue, d.kind).join(', ') || 'none'} (import your own with 'aftercare catalogue import')`
    })
  else if (model.kind !== d.kind)
    issues.push({
      field: 'kind',
      message: `model ${d.model} is a ${model.kind}, not a ${d.kind}; the catalogue's ${d.kind} models are ${modelsOfKind(catalogue, d.kind).join(', ') || 'none'}`
    })
  if (d.outlet) {
    const regions = outlets.get(d.outlet)
    if (!regions)
      issues.push({
        field: 'outlet',
        message: `unknown outlet ${d.outlet}; known outlets are ${[...outlets.keys()].join(', ') || 'none'} (add it first: aftercare outlets add ${d.outlet} --regions ${d.region})`
      })
    else if (!regions.includes(d.region))
      issues.push({
        field: 'region',
        message: `outlet ${d.outlet} covers ${regions.join(', ')}, not ${d.region}`
      })
  }
  return issues
}
