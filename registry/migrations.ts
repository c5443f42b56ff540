import type { Migration } from '../stores/index.js'

export const registryMigrations: Migration[] = [
  {
    id: '0001-registry',
    sql: `
CREATE TABLE devices (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('purifier', 'machine')),
  model text NOT NULL,
  region text NOT NULL,
  outlet text,
  delivered_on date,
  secret_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  secret_rotated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_region ON devices (region);
CREATE TABLE service_accounts (
  name text PRIMARY KEY,
  roles text[] NOT NULL,
  token_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);`
  },
  {
    id: '0014-device-sites',
    sql: `
-- the customer's site: personal data, kept apart from the device row that ingest and logs use
CREATE TABLE device_sites (
  device_id text PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  name text,
  address text,
  phone text,
  lat double precision,
  lon double precision
);
-- a person's or tool's account may be bound to one service outlet
ALTER TABLE service_accounts ADD COLUMN outlet text;`
  },
  {
    id: '0018-users',
    sql: `
-- people who sign in to the console: a memorised password (scrypt), one role, maybe one outlet
CREATE TABLE users (
  name text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('admin', 'planner', 'technician')),
  outlet text,
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- a signed-in browser: only a hash of the cookie's id is kept; the CSRF token goes with the page
CREATE TABLE user_sessions (
  id_hash text PRIMARY KEY,
  user_name text NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  csrf text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_sessions_user ON user_sessions (user_name);`
  }
]
