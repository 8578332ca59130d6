import { DataSource } from 'typeorm';
import { ChallengeJanitor } from '../../src/challenge/challenge-janitor';
import { ChallengeService } from '../../src/challenge/challenge.service';
import { startTestApp } from '../helpers/test-app';

describe('database schema', () => {
  it('the committed migrations produce exactly the entities (no drift) and revert cleanly', async () => {
    const t = await startTestApp();
    try {
      const ds = t.app.get(DataSource);
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(await ds.showMigrations()).toBe(false);
      await ds.undoLastMigration();
      await ds.undoLastMigration();
      const tables = await ds
        .createQueryRunner()
        .getTables(['token', 'tokeninfo', 'tokenrealm', 'challenge']);
      expect(tables).toHaveLength(0);
      await ds.runMigrations();
      expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('the janitor removes expired challenges and keeps valid ones', async () => {
    const t = await startTestApp({ CHALLENGE_CLEANUP_INTERVAL: '1' });
    try {
      const challenges = t.app.get(ChallengeService);
      await challenges.create({
        transactionId: '11111111111111111111',
        serial: 'S1',
        tokentype: 'hotp',
        challenge: '',
        validity: 1,
      });
      await challenges.create({
        transactionId: '22222222222222222222',
        serial: 'S2',
        tokentype: 'hotp',
        challenge: '',
        validity: 600,
      });
      expect(await challenges.forTransaction('11111111111111111111')).toHaveLength(1);
      // The scheduled sweep (every second here) removes the row once it has expired.
      const deadline = Date.now() + 6000;
      while (
        Date.now() < deadline &&
        (await challenges.forTransaction('11111111111111111111')).length > 0
      ) {
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await challenges.forTransaction('11111111111111111111')).toHaveLength(0);
      expect(await challenges.forTransaction('22222222222222222222')).toHaveLength(1);
      expect(await t.app.get(ChallengeJanitor).sweep()).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('DELETE /token/challenges/expired reports the number removed', async () => {
    const t = await startTestApp({ CHALLENGE_CLEANUP_INTERVAL: '3600' });
    try {
      const challenges = t.app.get(ChallengeService);
      await challenges.create({
        transactionId: '33333333333333333333',
        serial: 'S3',
        tokentype: 'hotp',
        challenge: '',
        validity: 1,
      });
      await new Promise((r) => setTimeout(r, 2100));
      const res = await t.http().delete('/token/challenges/expired').set('Authorization', t.admin);
      expect(res.body.result.value).toEqual({ status: true, deleted: 1 });
    } finally {
      await t.close();
    }
  });
});
