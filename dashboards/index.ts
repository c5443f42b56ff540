/** Grafana boards as code arrive with issue 5. */
export {}
