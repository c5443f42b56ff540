/** Fleet simulators, backfill and load test arrive with issue 3. */
export {}
