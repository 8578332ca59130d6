import type { Page } from 'playwright-core';
import { base32Decode } from '../../src/crypto/base32';
import { DEMO_CSP } from '../../src/demo/demo.controller';
import { cachedPhoneKey, PushApp } from '../clients/push-app';
import { TiqrApp } from '../clients/tiqr-app';
import { openBrowser, type BrowserSession } from '../helpers/browser';
import { isMysql, otpAt, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The demo relying-party page (README "Demo page") in a real Chromium: the admin enrolls HOTP,
 * TOTP, TiQR and Push tokens, then logs in as a relying party would, with the simulated TiQR and
 * privacyIDEA Authenticator apps answering. Screenshots land in test-results/screenshots/demo-*.
 */

const PIN = '1234';
const SLOW = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('demo page (/demo)', () => {
  let t: TestApp;
  let b: BrowserSession;
  let page: Page;
  /** Console errors and CSP violations of the page: none expected. */
  const problems: string[] = [];

  beforeAll(async () => {
    // MySQL/MariaDB switch it off by default; the embedded SQLite switches it on.
    t = await startTestApp({
      PUSH_SERVER_KEY_BITS: '2048',
      ...(isMysql() ? { DEMO_PAGE: 'true' } : {}),
    });
    b = await openBrowser();
    page = b.page;
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, SLOW);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  const shot = (name: string) => b.shot(`demo-${name}`);
  const textOf = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  /** The image really decoded (a data: URI the CSP lets through). */
  const decoded = (selector: string) =>
    page.locator(selector).evaluate((img: { naturalWidth: number }) => img.naturalWidth > 0);
  const focused = () => page.evaluate('document.activeElement && document.activeElement.id');

  async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }
  const untilText = (selector: string, re: RegExp) =>
    until(`${selector} ~ ${re}`, async () => re.test(await textOf(selector)));

  async function open(): Promise<void> {
    await page.goto(`${t.url}/demo`);
    await page.getByLabel('Admin JWT').fill(t.admin);
  }

  /** Enrolls through the page; returns the URI shown next to the QR code and the serial. */
  async function enroll(user: string, type: 'hotp' | 'totp' | 'tiqr' | 'push', name: string) {
    await page.locator('#enroll-user').fill(user);
    await page.locator('#enroll-pin').fill(PIN);
    await page.locator(`#type-${type}`).check();
    await page.getByRole('button', { name: 'Enroll' }).click();
    const qr = page.locator('#enroll-qr');
    await qr.waitFor({ state: 'visible' });
    await expect(qr.getAttribute('alt')).resolves.toMatch(/^QR code to enroll /);
    await until('decoded QR code', () => decoded('#enroll-qr'));
    await shot(`${name}-enrolled`);
    const link = page.locator('#enroll-link');
    const uri = (await link.getAttribute('data-uri')) ?? '';
    expect(await link.textContent()).toBe(uri);
    const serial = (await page.locator('#enroll-result').getAttribute('data-serial')) ?? '';
    expect(await page.locator('#enroll-summary').textContent()).toContain(serial);
    return { uri, serial };
  }

  /** User + PIN, typed and submitted with the keyboard alone. */
  async function loginWithPin(user: string): Promise<void> {
    await page.locator('#login-user').fill('');
    await page.locator('#login-user').focus();
    await page.keyboard.type(user);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
    await page.locator('#challenge').waitFor({ state: 'visible' });
  }

  async function expectAccepted(name: string): Promise<void> {
    const result = page.locator('#login-result');
    await untilText('#login-result', /Login accepted/);
    expect(await result.getAttribute('class')).toBe('success');
    expect(await page.locator('#challenge').isHidden()).toBe(true);
    await shot(name);
  }

  it('serves the page, script and style with a strict CSP; /demo redirects to /demo/', async () => {
    const redirect = await t.http().get('/demo');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('demo/');
    for (const [path, type] of [
      ['/demo/', 'text/html'],
      ['/demo/demo.js', 'text/javascript'],
      ['/demo/demo.css', 'text/css'],
    ]) {
      const res = await t.http().get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain(type);
      expect(res.headers['content-security-policy']).toBe(DEMO_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(DEMO_CSP).toContain("script-src 'self'");
    expect(DEMO_CSP).toContain("img-src 'self' data:");
    const html = (await t.http().get('/demo/')).text;
    // No inline script or style, nothing from another origin.
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=|https?:\/\//i);
    // Not part of the API documentation.
    const doc = (await t.http().get('/docs-json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/demo'))).toEqual([]);
  });

  it(
    'HOTP: enroll, see the QR code, log in with user + PIN, then the next OTP',
    async () => {
      await open();
      expect(page.url()).toBe(`${t.url}/demo/`);
      await shot('hotp-0-start');
      const { uri, serial } = await enroll('alice', 'hotp', 'hotp-1');
      expect(uri).toMatch(/^otpauth:\/\/hotp\//);
      expect(await page.locator('#enroll-link').getAttribute('href')).toBe(uri);
      const key = base32Decode(new URL(uri).searchParams.get('secret') ?? '');
      expect(key).toBeDefined();
      // The login form took the user over from the enrollment.
      expect(await page.locator('#login-user').inputValue()).toBe('alice');

      await loginWithPin('alice');
      expect(await page.locator('#challenge-qr-box').isHidden()).toBe(true);
      // The OTP field has the focus: the keyboard goes on.
      expect(await focused()).toBe('otp');
      await shot('hotp-2-otp-field');
      await page.keyboard.type(otpAt(key!.toString('hex'), 0));
      await page.keyboard.press('Enter');
      await expectAccepted('hotp-3-accepted');
      expect(await page.locator('#login-result').textContent()).toContain(serial);

      // A wrong OTP is refused and the field stays for another try.
      await loginWithPin('alice');
      await page.locator('#otp').fill('000000');
      await page.locator('#otp').press('Enter');
      await untilText('#login-result', /Login refused/);
      expect(await page.locator('#challenge').isVisible()).toBe(true);
      await shot('hotp-4-refused');
      await page.locator('#otp').fill(otpAt(key!.toString('hex'), 1));
      await page.locator('#otp').press('Enter');
      await expectAccepted('hotp-5-accepted');
    },
    SLOW,
  );

  it(
    'TOTP: enroll shows the QR code; the admin token can stay in session storage',
    async () => {
      await open();
      await page.getByLabel('Keep it for this tab (session storage)').check();
      const { uri } = await enroll('bob', 'totp', 'totp-1');
      expect(uri).toMatch(/^otpauth:\/\/totp\//);
      await page.reload();
      expect(await page.getByLabel('Admin JWT').inputValue()).toBe(t.admin);
      await page.getByLabel('Keep it for this tab (session storage)').uncheck();
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
    },
    SLOW,
  );

  it(
    'TiQR: enroll with the app, then the login QR code, live status, and ACCEPT',
    async () => {
      await open();
      const { uri } = await enroll('carol', 'tiqr', 'tiqr-1');
      expect(uri).toMatch(/^tiqrenroll:\/\//);
      const app = new TiqrApp();
      expect((await app.enroll(uri)).ok).toBe(true);

      await loginWithPin('carol');
      const qr = page.locator('#challenge-qr');
      await qr.waitFor({ state: 'visible' });
      await until('decoded QR code', () => decoded('#challenge-qr'));
      expect(await page.locator('#otp-form').isHidden()).toBe(true);
      const status = page.locator('#poll-status');
      expect(await status.getAttribute('role')).toBe('status');
      expect(await status.textContent()).toBe('Waiting for the app to answer…');
      // The page keeps polling: a check time appears.
      await untilText('#poll-checked', /Last checked/);
      await shot('tiqr-2-login-qr');
      const auth = (await page.locator('#challenge-link').getAttribute('data-uri')) ?? '';
      expect(auth).toMatch(/^tiqrauth:\/\//);
      expect((await app.login(auth)).kind).toBe('OK');
      await expectAccepted('tiqr-3-accepted');
    },
    SLOW,
  );

  it(
    'Push: enroll with the app, then the live status while the app polls and accepts',
    async () => {
      await open();
      const { uri, serial } = await enroll('dave', 'push', 'push-1');
      expect(uri).toMatch(/^otpauth:\/\/pipush\//);
      const app = new PushApp({ newKey: () => cachedPhoneKey() });
      expect((await app.enroll(uri)).ok).toBe(true);

      await loginWithPin('dave');
      expect(await page.locator('#challenge-qr-box').isHidden()).toBe(true);
      expect(await page.locator('#otp-form').isHidden()).toBe(true);
      expect(await page.locator('#challenge-message').textContent()).toMatch(/confirm/i);
      expect(await page.locator('#poll-status').textContent()).toBe(
        'Waiting for the app to answer…',
      );
      // The heading took the focus (no field to type into).
      expect(await focused()).toBe('challenge-heading');
      await shot('push-2-waiting');
      const { requests } = await app.poll(serial);
      expect(requests).toHaveLength(1);
      expect((await app.accept(requests[0])).value).toBe(true);
      await expectAccepted('push-3-accepted');

      // Declined on the phone: the page says so and stops.
      await loginWithPin('dave');
      const next = await app.poll(serial);
      expect((await app.decline(next.requests[0])).value).toBe(true);
      await untilText('#login-result', /declined/);
      expect(await page.locator('#login-result').getAttribute('class')).toBe('error');
      expect(await page.locator('#challenge').isHidden()).toBe(true);
      await shot('push-4-declined');
    },
    SLOW,
  );

  describe('with number matching (PUSH_REQUIRE_PRESENCE=true)', () => {
    beforeAll(async () => {
      await t.close();
      t = await startTestApp({
        PUSH_SERVER_KEY_BITS: '2048',
        PUSH_REQUIRE_PRESENCE: 'true',
        ...(isMysql() ? { DEMO_PAGE: 'true' } : {}),
      });
    }, SLOW);

    it(
      'Push: the page shows the option to tap; the app taps it and the login is accepted',
      async () => {
        await open();
        const { uri, serial } = await enroll('erin', 'push', 'presence-1');
        const app = new PushApp({ newKey: () => cachedPhoneKey() });
        expect((await app.enroll(uri)).ok).toBe(true);

        await loginWithPin('erin');
        const shown = await textOf('#challenge-presence');
        expect(shown).toMatch(/^In the app, tap: [A-Z]$/);
        const answer = shown.slice(-1);
        await shot('presence-2-waiting');
        const { requests } = await app.poll(serial);
        expect(requests[0].possibleAnswers).toContain(answer);
        expect((await app.answer(requests[0], answer)).value).toBe(true);
        await expectAccepted('presence-3-accepted');
      },
      SLOW,
    );
  });
});

describe('demo page switched off', () => {
  const cases: [string, Record<string, string>][] = [['DEMO_PAGE=false', { DEMO_PAGE: 'false' }]];
  // A production database keeps it off unless DEMO_PAGE=true.
  if (isMysql()) cases.push(['MySQL/MariaDB default', {}]);

  it.each(cases)('%s: /demo answers like a path that does not exist', async (_name, env) => {
    const t = await startTestApp(env);
    try {
      const unknown = await t.http().get('/no-such-page');
      for (const path of ['/demo', '/demo/', '/demo/demo.js', '/demo/demo.css']) {
        const res = await t.http().get(path);
        expect(res.status).toBe(404);
        expect({ ...res.body, time: 0 }).toEqual({ ...unknown.body, time: 0 });
        expect(res.headers['content-security-policy']).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});
