export { Registry } from './registry.js'
export {
  newDeviceSchema,
  siteSchema,
  accountNameSchema,
  type DeviceCheck,
  type BrokerAccounts,
  type DeviceIssue
} from './device-schemas.js'
export {
  importDevices,
  importRowSchema,
  type ImportResult,
  type ImportRow,
  type RowError
} from './device-import.js'
export {
  SqlDeviceStore,
  type Device,
  type DeviceStore,
  type NewDevice,
  type Site,
  type DeviceFilter
} from './device-store.js'
export {
  SqlAccountStore,
  ROLES,
  maySeeSite,
  type Role,
  type ServiceAccount,
  type AccountStore
} from './account-store.js'
export { registryMigrations } from './migrations.js'
export {
  People,
  USER_ROLES,
  userNameSchema,
  passwordSchema,
  type User,
  type UserRole,
  type SignIn
} from './people.js'
export { generatePassword, MIN_PASSWORD_LENGTH } from './passwords.js'
