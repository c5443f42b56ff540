import type { Migration } from '../stores/index.js'

/** The orders schema, step by step (never edit a released step; add one). */
export const orderMigrations: Migration[] = [
  {
    id: '0003-orders',
    sql: `
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices (id),
  type text NOT NULL CHECK (type IN ('health_care', 'replacement', 'inspection', 'emergency', 'urgent')),
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'scheduled', 'dispatched', 'done', 'cancelled')),
  outlet text,
  visit_day date,
  deadline date,
  parts jsonb NOT NULL DEFAULT '[]',
  inspection int,
  reason text NOT NULL,
  source text NOT NULL DEFAULT 'plan',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_device_status ON orders (device_id, status);
CREATE INDEX orders_outlet_day ON orders (outlet, visit_day);
CREATE TABLE order_history (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id),
  at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL,
  note text NOT NULL
);`
  },
  {
    id: '0004-live-orders',
    sql: `
ALTER TABLE orders ADD COLUMN cause text;
ALTER TABLE orders ADD COLUMN promise_at timestamptz;
-- one open order per device and cause: live rules may fire again and again
CREATE UNIQUE INDEX orders_open_cause ON orders (device_id, cause)
  WHERE cause IS NOT NULL AND status IN ('proposed', 'scheduled', 'dispatched');`
  },
  {
    id: '0005-order-completion',
    sql: `
ALTER TABLE orders ADD COLUMN completed_at timestamptz;
ALTER TABLE orders ADD COLUMN replaced_parts jsonb;
ALTER TABLE orders ADD COLUMN first_visit_fix boolean;
ALTER TABLE orders ADD COLUMN score_timeliness int CHECK (score_timeliness BETWEEN -2 AND 2);
ALTER TABLE orders ADD COLUMN score_quality int CHECK (score_quality BETWEEN -2 AND 2);
ALTER TABLE orders ADD COLUMN score_attitude int CHECK (score_attitude BETWEEN -2 AND 2);
ALTER TABLE orders ADD COLUMN complaint boolean NOT NULL DEFAULT false;`
  }
]
