export { TransportManager, type TransportManagerOptions } from './manager';
export {
  DEFAULT_STREAM_SETTINGS,
  type ListenSpec,
  type SendErrorHandler,
  type StreamSettings,
  type TlsFiles,
} from './options';
export { addressFamily, hostPort, normalizeAddress } from './address';
export { endpointKey, isReliable, type Endpoint, type Inbound, type TransportProtocol } from './types';
