import { RouteTable } from './route-table';

describe('RouteTable', () => {
  it('finds the methods routed for a concrete path', () => {
    const t = new RouteTable();
    t.add('GET', '/validate/polltransaction');
    t.add(['GET', 'HEAD'], '/validate/polltransaction/:transaction_id');
    t.add('DELETE', '/token/:serial');
    t.add('POST', '/token/init');
    expect(t.methodsFor('/validate/polltransaction?x=1')).toEqual(['GET']);
    expect(t.methodsFor('/validate/polltransaction/123/')).toEqual(['GET', 'HEAD']);
    expect(t.methodsFor('/token/init')).toEqual(['DELETE', 'POST']);
    expect(t.methodsFor('/nope')).toEqual([]);
  });
});
