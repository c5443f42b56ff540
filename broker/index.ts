export {
  Broker,
  type BrokerAuthenticator,
  type BrokerOptions,
  type PublishGate,
  type ListenOptions
} from './broker.js'
export { canPublish, canSubscribe, type Identity } from './acl.js'
