export {
  createConnectClient,
  type ConnectClient,
  type ConnectClientOptions,
  type ConnectorConfig,
  type ConnectorStatus,
} from './client';
export { loadConnectorDefinitions, type ConnectorDefinition } from './connector-files';
export { ConnectError, type ConnectErrorCode } from './errors';
