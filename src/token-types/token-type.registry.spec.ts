import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { BaseTokenType } from './base-token-type';
import { TokenType } from './token-type.decorator';
import { TokenTypeRegistry } from './token-type.registry';

class Stub extends BaseTokenType {
  init() {
    return Promise.resolve({});
  }
}

@TokenType({ type: 'alpha', prefix: 'ALPH', aliases: ['first'], description: 'a' })
@Injectable()
class AlphaType extends Stub {}

@TokenType({ type: 'beta', prefix: 'BETA', description: 'b' })
@Injectable()
class BetaType extends Stub {}

@TokenType({ type: 'ALPHA', prefix: 'OTHR', description: 'duplicate name' })
@Injectable()
class DuplicateType extends Stub {}

@TokenType({ type: 'gamma', prefix: 'BETA', description: 'duplicate prefix' })
@Injectable()
class DuplicatePrefix extends Stub {}

async function registryWith(...types: (new () => Stub)[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [TokenTypeRegistry, ...types],
  }).compile();
  await moduleRef.init();
  return moduleRef.get(TokenTypeRegistry);
}

describe('TokenTypeRegistry', () => {
  it('finds every decorated provider by name and alias, case-insensitively', async () => {
    const registry = await registryWith(AlphaType, BetaType);
    expect(registry.list().map((t) => t.meta.type)).toEqual(['alpha', 'beta']);
    expect(registry.find('ALPHA')?.handler).toBeInstanceOf(AlphaType);
    expect(registry.find('first')?.handler).toBeInstanceOf(AlphaType);
    expect(registry.find('delta')).toBeUndefined();
    expect(() => registry.require('delta')).toThrow('init token failed. Unknown token type: delta');
  });

  it('refuses a type name or a serial prefix registered twice', async () => {
    await expect(registryWith(AlphaType, DuplicateType)).rejects.toThrow(
      "Token type 'alpha' is registered twice",
    );
    await expect(registryWith(BetaType, DuplicatePrefix)).rejects.toThrow(
      "Serial prefix 'BETA' is used twice",
    );
  });
});
