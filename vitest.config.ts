import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60000,
    hookTimeout: 120000,
    // two cores: two files at a time keeps real InfluxDB and PGlite responsive
    maxWorkers: 2,
    reporters: ['default']
  }
})
