import { z } from 'zod'
import { COMPLAINT_CATEGORIES } from '../maintenance/index.js'

/**
 * Response schemas of the read-outs whose full shape lives in the engine (a pass's summary, KPIs): the
 * fields a client relies on are declared and described; the rest passes through as the engine gives it.
 */

export const pipelineStatsSchema = z
  .looseObject({
    ingest: z.looseObject({ messages: z.number(), samplesStored: z.number(), countersBackwards: z.number() }),
    writer: z.looseObject({}),
    broker: z.looseObject({ connected: z.number() })
  })
  .describe("this node's counters since it started")

export const planSummarySchema = z
  .looseObject({
    today: z.string().meta({ examples: ['2026-12-03'] }),
    devices: z.number(),
    planned: z.number(),
    ordersCreated: z.number(),
    ordersUpdated: z.number(),
    ordersUnchanged: z.number(),
    ordersCancelled: z.number(),
    atRisk: z.number(),
    late: z.number(),
    unknownModels: z.array(z.string()),
    catalogueVersion: z.number().nullable(),
    bundling: z.looseObject({ visitsSaved: z.number(), meanLifeThrown: z.number() }),
    peaks: z.array(z.object({ group: z.string(), start: z.string(), end: z.string() })),
    seconds: z.number()
  })
  .describe('what the pass did')

export const planSchema = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(
    z.object({
      outlet: z.string().meta({ examples: ['sh-01'] }),
      day: z.string().meta({ examples: ['2026-12-08'] }),
      visits: z.number(),
      capacity: z.number(),
      over: z.boolean().describe('more visits than the outlet can make that day')
    })
  )
})

export const healthSchema = z.object({
  device: z.string().meta({ examples: ['pur-1'] }),
  components: z.array(
    z.object({
      part: z.string().meta({ examples: ['pp_sediment'] }),
      usedShare: z.number().describe('share of rated life used, 0..1+'),
      remaining: z.number(),
      by: z.string().meta({ examples: ['usage', 'time', 'condition'] }),
      dueDay: z.string().nullable(),
      earliestDay: z.string().nullable(),
      latestDay: z.string().nullable(),
      daysLeft: z.number()
    })
  )
})

export const complaintSchema = z.object({
  id: z.number(),
  orderId: z.number(),
  deviceId: z.string().meta({ examples: ['pur-1'] }),
  outlet: z.string().nullable(),
  receivedAt: z.string(),
  category: z.enum(COMPLAINT_CATEGORIES),
  text: z.string().meta({ examples: ['the technician came two hours late'] })
})

export const runOutSchema = z.object({
  deviceId: z.string(),
  part: z.string().meta({ examples: ['ro_membrane'] }),
  fittedDay: z.string(),
  limitBy: z.string(),
  detectedAt: z.string(),
  outlet: z.string().nullable().describe('charged when it held a scheduled or dispatched order for the part')
})

export const kpisSchema = z.object({
  month: z.string().meta({ examples: ['2026-12'] }),
  outlets: z.array(
    z
      .looseObject({ outlet: z.string(), month: z.string(), jobs: z.number() })
      .describe('scores, rates, supervision')
  )
})
