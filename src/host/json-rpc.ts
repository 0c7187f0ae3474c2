/** JSON-RPC error bodies for /mcp answers the host gives before (or instead of) the MCP SDK. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INTERNAL_ERROR = -32603;
/** Implementation-defined server error, as the MCP SDK uses for transport-level refusals. */
export const SERVER_ERROR = -32000;
/** The MCP SDK's code for an unknown session. */
export const SESSION_NOT_FOUND = -32001;

export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  error: { code: number; message: string };
  id: null;
}

export const jsonRpcError = (code: number, message: string): JsonRpcErrorBody => ({ jsonrpc: '2.0', error: { code, message }, id: null });
