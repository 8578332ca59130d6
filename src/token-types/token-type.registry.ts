import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ErrorCode, TokenAdminError } from '../common/errors';
import { TokenType, TokenTypeMeta } from './token-type.decorator';
import type { TokenTypeHandler } from './token-type.interface';

export interface RegisteredType {
  meta: TokenTypeMeta;
  handler: TokenTypeHandler;
}

/**
 * Token types by name, built once at boot from every provider carrying @TokenType. Lookups are a
 * single Map access; duplicates of a type, alias or prefix stop the boot.
 */
@Injectable()
export class TokenTypeRegistry implements OnModuleInit {
  private byName = new Map<string, RegisteredType>();
  private types: RegisteredType[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const byName = new Map<string, RegisteredType>();
    const prefixes = new Set<string>();
    const types: RegisteredType[] = [];
    for (const wrapper of this.discovery.getProviders({ metadataKey: TokenType.KEY })) {
      const meta = this.discovery.getMetadataByDecorator(TokenType, wrapper);
      if (!meta || !wrapper.instance) continue;
      const entry: RegisteredType = { meta, handler: wrapper.instance as TokenTypeHandler };
      for (const name of [meta.type, ...(meta.aliases ?? [])].map((n) => n.toLowerCase())) {
        if (byName.has(name)) throw new Error(`Token type '${name}' is registered twice`);
        byName.set(name, entry);
      }
      if (prefixes.has(meta.prefix))
        throw new Error(`Serial prefix '${meta.prefix}' is used twice`);
      prefixes.add(meta.prefix);
      types.push(entry);
    }
    if (types.length === 0) throw new Error('No token types registered');
    this.byName = byName;
    this.types = types;
  }

  /** Case-insensitive lookup by type name or alias. */
  find(type: string): RegisteredType | undefined {
    return this.byName.get(type.toLowerCase());
  }

  /** Like find(), but an unknown type is the init error privacyIDEA reports (1610). */
  require(type: string): RegisteredType {
    const entry = this.find(type);
    if (!entry) {
      throw new TokenAdminError(
        `init token failed. Unknown token type: ${type}`,
        ErrorCode.UNKNOWN_TOKEN_TYPE,
      );
    }
    return entry;
  }

  handlerOf(tokentype: string): TokenTypeHandler {
    return this.require(tokentype).handler;
  }

  list(): readonly RegisteredType[] {
    return this.types;
  }
}
