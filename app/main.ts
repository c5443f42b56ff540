#!/usr/bin/env -S node --max-semi-space-size=64
import { describeError, isAppError } from '../shared/index.js'
import { buildCli } from './cli.js'

process.on('unhandledRejection', (err) => {
  console.error('aftercare: unhandled rejection (a bug):', err)
  process.exit(70)
})

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    console.error(`aftercare: ${isAppError(err) ? `${err.code}: ` : ''}${describeError(err)}`)
    process.exit(isAppError(err) && err.operational ? 2 : 1)
  })
