export {
  Broker,
  type BrokerAuthenticator,
  type BrokerOptions,
  type PublishGate,
  type ListenOptions
} from './broker.js'
export { canPublish, canSubscribe, type Identity } from './acl.js'
export { DEFAULT_LIMITS, type BrokerLimits } from './throttle.js'
