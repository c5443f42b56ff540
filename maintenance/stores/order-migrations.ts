import type { Migration } from '../../stores/index.js'

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
  },
  {
    id: '0007-complaints-and-run-outs',
    sql: `
-- a complaint is a record of its own: it may come after the visit, and one visit may draw several
CREATE TABLE complaints (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id),
  device_id text NOT NULL REFERENCES devices (id),
  outlet text,
  received_at timestamptz NOT NULL DEFAULT now(),
  category text NOT NULL CHECK (category IN ('timeliness', 'quality', 'attitude', 'other')),
  text text NOT NULL
);
CREATE INDEX complaints_outlet_time ON complaints (outlet, received_at);
INSERT INTO complaints (order_id, device_id, outlet, received_at, category, text)
  SELECT id, device_id, outlet, completed_at, 'other', 'recorded at completion' FROM orders WHERE complaint;
ALTER TABLE orders DROP COLUMN complaint;
-- a part that reached its limit before it was replaced: one row per fitted part
CREATE TABLE part_run_outs (
  id bigserial PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices (id),
  part text NOT NULL,
  fitted_day date NOT NULL,
  limit_by text NOT NULL,
  detected_at timestamptz NOT NULL,
  -- the outlet that held a scheduled or dispatched order for the part; null when none did (not charged)
  outlet text,
  UNIQUE (device_id, part, fitted_day)
);
CREATE INDEX part_run_outs_outlet_time ON part_run_outs (outlet, detected_at);`
  },
  {
    id: '0008-peak-windows',
    sql: `
-- each region and kind's next peak season as the last planning pass learned it (for the boards)
CREATE TABLE peak_windows (
  region text NOT NULL,
  kind text NOT NULL,
  start_day date NOT NULL,
  end_day date NOT NULL,
  learned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (region, kind)
);`
  },
  {
    id: '0009-outlet-kpis',
    sql: `
-- the KPIs per outlet and month as last computed (GET /kpis computes them live; the boards read these)
CREATE TABLE outlet_kpis (
  outlet text NOT NULL,
  month date NOT NULL,
  jobs int NOT NULL,
  score_timeliness double precision,
  score_quality double precision,
  score_attitude double precision,
  change_timeliness double precision,
  change_quality double precision,
  change_attitude double precision,
  first_visit_fix_rate double precision,
  complaints int NOT NULL,
  acceptable_complaints int NOT NULL,
  complaint_ppm double precision NOT NULL,
  dissatisfaction_ppm double precision NOT NULL,
  omission_ppm double precision NOT NULL,
  ppm_target double precision NOT NULL,
  supervision text NOT NULL CHECK (supervision IN ('ok', 'warning', 'suspended')),
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (outlet, month)
);`
  },
  {
    id: '0011-stable-orders-and-completion',
    sql: `
-- a scheduled or dispatched order the last pass found too late: the part is expected to run out first
ALTER TABLE orders ADD COLUMN at_risk boolean NOT NULL DEFAULT false;
ALTER TABLE orders ADD COLUMN expected_run_out date;
-- what a completion said, who recorded it, and a digest of it (a retried completion is recognised)
ALTER TABLE orders ADD COLUMN completed_by text;
ALTER TABLE orders ADD COLUMN completion_note text;
ALTER TABLE orders ADD COLUMN completion_digest text;
-- the parts a completion changed, committed with it; the device's InfluxDB history learns them after
CREATE TABLE part_changes (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id),
  device_id text NOT NULL REFERENCES devices (id),
  part text NOT NULL,
  changed_at timestamptz NOT NULL,
  in_influx boolean NOT NULL DEFAULT false,
  UNIQUE (order_id, part)
);
CREATE INDEX part_changes_device ON part_changes (device_id);
CREATE INDEX part_changes_pending ON part_changes (id) WHERE NOT in_influx;
-- a rate over no jobs is no rate
ALTER TABLE outlet_kpis ALTER COLUMN complaint_ppm DROP NOT NULL;
ALTER TABLE outlet_kpis ALTER COLUMN dissatisfaction_ppm DROP NOT NULL;
ALTER TABLE outlet_kpis ALTER COLUMN omission_ppm DROP NOT NULL;`
  },
  {
    id: '0012-component-usage',
    sql: `
-- a part fitted before the planning window: its use from the fit day up to through_day, carried forward
CREATE TABLE component_usage (
  device_id text NOT NULL REFERENCES devices (id),
  part text NOT NULL,
  fitted_day date NOT NULL,
  used double precision NOT NULL,
  through_day date NOT NULL,
  PRIMARY KEY (device_id, part)
);`
  },
  {
    id: '0013-catalogues',
    sql: `
-- the maker's catalogue, each import a new version (the planning pass of every node reads the newest)
CREATE TABLE catalogues (
  version int PRIMARY KEY,
  document jsonb NOT NULL,
  imported_by text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
-- the catalogue version a pass proposed the order with
ALTER TABLE orders ADD COLUMN catalogue_version int;`
  },
  {
    // who is to make an order's visit
    id: '0017-order-technician',
    sql: 'ALTER TABLE orders ADD COLUMN technician text;'
  },
  {
    id: '0019-peak-seasons',
    sql: `
-- a region and kind may have more than one busy season a year (spring and autumn building)
ALTER TABLE peak_windows DROP CONSTRAINT peak_windows_pkey;
ALTER TABLE peak_windows ADD PRIMARY KEY (region, kind, start_day);`
  }
]
