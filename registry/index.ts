export { Registry, newDeviceSchema, accountNameSchema } from './registry.js'
export {
  SqlDeviceStore,
  type Device,
  type DeviceStore,
  type NewDevice,
  type DeviceFilter
} from './device-store.js'
export { SqlAccountStore, ROLES, type Role, type ServiceAccount, type AccountStore } from './account-store.js'
export { registryMigrations } from './migrations.js'
