import { DiscoveryService } from '@nestjs/core';

export interface TokenTypeMeta {
  /** Type name as stored in token.tokentype and used in /ttype/<type> (lower case). */
  type: string;
  /** Serial prefix for generated serials (tokenclass.md §3). */
  prefix: string;
  aliases?: string[];
  description: string;
}

/** Marks an injectable as the handler of one token type; the registry discovers it at boot. */
export const TokenType = DiscoveryService.createDecorator<TokenTypeMeta>();
