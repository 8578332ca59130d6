export type Role = 'admin' | 'user';

/** The caller of a management endpoint, from its JWT. */
export interface Principal {
  role: Role;
  username: string;
  realm: string;
}
