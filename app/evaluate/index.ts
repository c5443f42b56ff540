export { evaluate, type EvaluateOptions, type PolicyResult } from './closed-loop.js'
