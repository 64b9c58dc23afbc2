export { TransportManager, type TransportManagerOptions, type UdpSocketStats } from './manager';
export { type UdpOptions } from './udp';
export {
  DEFAULT_STREAM_SETTINGS,
  type ConnectionLost,
  type ConnectionRefused,
  type ListenSpec,
  type SendErrorHandler,
  type StreamSettings,
  type TlsFiles,
} from './options';
export { addressFamily, hostPort, normalizeAddress } from './address';
export { transportFailureText } from './node-errors';
export { endpointKey, isReliable, type Endpoint, type Inbound, type TransportProtocol } from './types';
