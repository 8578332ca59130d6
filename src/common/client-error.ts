import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { VersionInfo } from './envelope';
import { errorEnvelope } from './envelope';
import { ErrorCode } from './errors';

/**
 * Node's HTTP parser rejects some requests before Fastify routes them (oversized headers, a
 * malformed request line, a request that took too long): they are answered in the same JSON
 * envelope as every other error, then the connection is closed (as Node and Fastify do).
 */
export function clientErrorHandler(versions: VersionInfo) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'ERR905: Request header fields too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'ERR905: Request timeout']
          : [400, 'ERR905: Malformed HTTP request'];
    const body = JSON.stringify(errorEnvelope(versions, ErrorCode.PARAMETER, message));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
