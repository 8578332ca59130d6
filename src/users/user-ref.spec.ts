import { UserError } from '../common/errors';
import { isValidLogin, resolveUser } from './user-ref';

const policy = { defaultRealm: 'default', realms: ['default', 'realm1'], splitAtSign: true };

describe('resolveUser', () => {
  it('uses the default realm when none is given', () => {
    expect(resolveUser('alice', undefined, policy)).toEqual({ login: 'alice', realm: 'default' });
  });

  it('splits login@realm only for known realms and at the last @', () => {
    expect(resolveUser('a@b@realm1', undefined, policy)).toEqual({ login: 'a@b', realm: 'realm1' });
    expect(resolveUser('bob@example.org', undefined, policy)).toEqual({
      login: 'bob@example.org',
      realm: 'default',
    });
  });

  it('lets an explicit realm win and lower-cases it', () => {
    expect(resolveUser('bob@realm1', 'Other', policy)).toEqual({
      login: 'bob@realm1',
      realm: 'other',
    });
  });

  it('supports realm\\login', () => {
    expect(resolveUser('realm1\\carol', undefined, policy)).toEqual({
      login: 'carol',
      realm: 'realm1',
    });
  });

  it('refuses invalid realms and control characters', () => {
    expect(() => resolveUser('alice', 'bad realm', policy, 'validate')).toThrow(UserError);
    expect(() => resolveUser('al\nice', undefined, policy, 'validate')).toThrow(UserError);
    expect(() => resolveUser('alice', "x' OR 1=1", policy)).toThrow('Invalid user or realm');
  });

  it('refuses logins with leading or trailing whitespace (MariaDB PAD SPACE)', () => {
    for (const user of ['rose ', ' rose', 'rose\u00a0', 'rose @realm1', 'realm1\\ rose']) {
      expect(() => resolveUser(user, undefined, policy, 'validate')).toThrow(UserError);
      expect(() => resolveUser(user, undefined, policy)).toThrow('Invalid user or realm');
    }
    expect(() => resolveUser('rose', 'realm1 ', policy)).toThrow('Invalid user or realm');
    expect(isValidLogin('rose smith')).toBe(true);
    expect(isValidLogin('rose\t')).toBe(false);
  });
});
