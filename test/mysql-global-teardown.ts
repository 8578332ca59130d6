import { dropGeneratedDatabase } from './mysql-global-setup';

export default function teardown(): Promise<void> {
  return dropGeneratedDatabase();
}
