import { describe, expect, it } from 'vitest';
import { ChainFileError, parseChainConfig } from '../../../../worker/chain/config.js';

const good = { rpcUrl: 'https://rpc.example.org', chainId: 11155111, mining: '0x8ba1f109551bd432803012645ac136ddd64dba72', token: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' };

describe('parseChainConfig', () => {
  it('reads a chain config and checksums its addresses', () => {
    expect(parseChainConfig(JSON.stringify(good))).toEqual({ ...good, mining: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' });
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['a missing field', JSON.stringify({ ...good, token: undefined }), /token/],
    ['an unknown field', JSON.stringify({ ...good, extra: 1 }), /extra|unrecognized/i],
    ['a chain id that is not an integer', JSON.stringify({ ...good, chainId: 1.5 }), /chainId/],
    ['an address of the wrong length', JSON.stringify({ ...good, mining: '0x1234' }), /mining: a 0x address/],
    ['a checksum typo', JSON.stringify({ ...good, token: good.token.replace('bD4', 'Bd4') }), /checksum/],
    ['a URL that is not one', JSON.stringify({ ...good, rpcUrl: 'localhost:8545 ' }), /rpcUrl/],
  ])('refuses %s with the field named', (_what, text, message) => {
    expect(() => parseChainConfig(text, 'chain.json')).toThrow(ChainFileError);
    expect(() => parseChainConfig(text, 'chain.json')).toThrow(message);
  });
});
