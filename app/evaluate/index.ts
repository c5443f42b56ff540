export { evaluate, type EvaluateOptions, type PolicyResult } from './closed-loop.js'
export { UNAVOIDABLE_REASONS } from './season-visits.js'
