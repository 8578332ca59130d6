import type { Locator, Page } from 'playwright-core';
import { join } from 'node:path';
import { BrowserSession, openBrowser, SCREENSHOT_DIR } from '../helpers/browser';
import { RFC_KEY, RFC_OTPS, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

/**
 * The explorer at /docs used the way a person uses it, in Debian's Chromium: authorize with a JWT,
 * enroll an HOTP token through the form with the RFC 4226 key, authenticate through GET and POST
 * /validate/check, disable and delete it through the {serial} path endpoints. Screenshots go to
 * test-results/screenshots/explorer-*.png.
 */
describe('API explorer in a browser', () => {
  let t: TestApp;
  let b: BrowserSession;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    b = await openBrowser();
    page = b.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  /** Opens an operation (its tag first) and returns its block. */
  async function operation(tag: string, operationId: string): Promise<Locator> {
    const block = page.locator(`#operations-${tag}-${operationId}`);
    if (!(await block.isVisible())) await page.locator(`#operations-tag-${tag}`).click();
    if (!(await block.locator('.execute').isVisible())) {
      await block.locator('.opblock-summary-control').click();
    }
    await block.locator('.execute').waitFor();
    return block;
  }

  /** Clicks Execute and returns the status and the parsed JSON body the page shows. */
  async function execute(block: Locator): Promise<{ status: number; body: Record<string, any> }> {
    // Clear an earlier answer first so that the one read below is this call's.
    const clear = block.locator('.btn-clear');
    if (await clear.isVisible()) {
      await clear.click();
      await block.locator('.live-responses-table').waitFor({ state: 'detached' });
    }
    await block.locator('.execute').click();
    const response = block.locator('.live-responses-table .response').first();
    await response.locator('.response-col_status').waitFor();
    const status = Number((await response.locator('.response-col_status').innerText()).trim());
    const text = await response.locator('.response-col_description pre').first().innerText();
    return { status, body: JSON.parse(text) as Record<string, any> };
  }

  const formField = (block: Locator, name: string) =>
    block.locator(`.opblock-section-request-body [data-property-name="${name}"] input[type=text]`);
  const param = (block: Locator, name: string, where: 'path' | 'query') =>
    block.locator(`tr[data-param-name="${name}"][data-param-in="${where}"] input[type=text]`);

  it('authorize, enroll, validate, disable, delete: all through the page', async () => {
    await page.goto(`${t.url}/docs`);
    await page.locator('.opblock-tag').first().waitFor();

    // Tags in working order, and the description says how to get a JWT (and renders it).
    const tags = await page
      .locator('.opblock-tag')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')));
    expect(tags.slice(0, 6)).toEqual(['auth', 'token', 'validate', 'challenges', 'import', 'apps']);
    const info = await page.locator('.information-container').innerText();
    expect(info).toContain('npm run --silent admin-token');
    expect(info).toContain('Authorization: Bearer <jwt>');
    await b.shot('explorer-0-start');

    // Authorize with the JWT.
    await page.locator('.auth-wrapper .authorize').click();
    const modal = page.locator('.modal-ux');
    await modal.locator('input').first().fill(t.admin);
    await modal.locator('.modal-btn.authorize').click();
    await modal.locator('.btn-done').click();

    // Enroll through the form: the form starts with the example, never "string".
    const init = await operation('token', 'TokenController_init');
    await init
      .locator('.body-param-content-type select')
      .selectOption('application/x-www-form-urlencoded');
    const values = await init
      .locator('.opblock-section-request-body input[type=text]')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(values).not.toContain('string');
    expect(values.filter((v) => /^(stri?|st)$/.test(v))).toEqual([]);
    await formField(init, 'otpkey').fill(RFC_KEY);
    await formField(init, 'user').fill('alice');
    await formField(init, 'description').fill('enrolled in the explorer');
    const enrolled = await execute(init);
    expect(enrolled.status).toBe(200);
    expect(enrolled.body.result).toMatchObject({ status: true, value: true });
    const serial = enrolled.body.detail.serial as string;
    expect(serial).toMatch(/^OATH/);
    // The key went through as typed (not 3.132333435363738e+39), and the QR codes show.
    expect(enrolled.body.detail.otpkey.value).toBe(`seed://${RFC_KEY}`);
    const qr = init.locator('.explorer-qr-codes img');
    await expect(qr.first().isVisible()).resolves.toBe(true);
    const qrPaths = await qr.evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    expect(qrPaths).toEqual(expect.arrayContaining(['detail.googleurl.img', 'detail.otpkey.img']));
    const size = await qr
      .first()
      .evaluate((img) => [
        (img as unknown as { naturalWidth: number }).naturalWidth,
        img.clientWidth,
      ]);
    expect(size[0]).toBeGreaterThan(50);
    await init.locator('.explorer-qr-codes').scrollIntoViewIfNeeded();
    await b.shot('explorer-1-enrolled');
    await init
      .locator('.explorer-qr-codes')
      .screenshot({ path: join(SCREENSHOT_DIR, 'explorer-1-qr-codes.png') });
    expect(await tokenInfo(t, serial)).toMatchObject({
      username: 'alice',
      description: 'enrolled in the explorer',
      realms: ['default'],
    });

    // GET /validate/check with query parameters.
    const checkGet = await operation('validate', 'ValidateController_checkGet');
    await param(checkGet, 'user', 'query').fill('alice');
    await param(checkGet, 'pass', 'query').fill(RFC_OTPS[0]);
    const first = await execute(checkGet);
    expect(first.status).toBe(200);
    expect(first.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    expect(first.body.detail.serial).toBe(serial);
    await b.shot('explorer-2-check-get');

    // POST /validate/check with the JSON body (the default), then the form.
    const checkPost = await operation('validate', 'ValidateController_checkPost');
    await checkPost
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ serial, pass: RFC_OTPS[1] }, null, 2));
    const second = await execute(checkPost);
    expect(second.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    await checkPost
      .locator('.body-param-content-type select')
      .selectOption('application/x-www-form-urlencoded');
    await formField(checkPost, 'user').fill('');
    await formField(checkPost, 'serial').fill(serial);
    await formField(checkPost, 'pass').fill(RFC_OTPS[2]);
    const third = await execute(checkPost);
    expect(third.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    await b.shot('explorer-3-check-post');

    // Disable through /token/disable/{serial}: the path parameter is a field of its own.
    const disable = await operation('token', 'TokenController_disable_serial');
    await param(disable, 'serial', 'path').fill(serial);
    const disabled = await execute(disable);
    expect(disabled.status).toBe(200);
    expect(disabled.body.result.value).toBe(1);
    expect(await disable.locator('.request-url pre').innerText()).toContain(
      `/token/disable/${serial}`,
    );
    expect((await tokenInfo(t, serial)).active).toBe(false);
    await disable.screenshot({ path: join(SCREENSHOT_DIR, 'explorer-4-disabled.png') });

    // A disabled token is refused.
    await param(checkGet, 'pass', 'query').fill(RFC_OTPS[3]);
    const refused = await execute(checkGet);
    expect(refused.body.result).toMatchObject({ value: false, authentication: 'REJECT' });

    // Delete through DELETE /token/{serial}.
    const del = await operation('token', 'TokenController_delete');
    await param(del, 'serial', 'path').fill(serial);
    const deleted = await execute(del);
    expect(deleted.status).toBe(200);
    expect(deleted.body.result.value).toBe(1);
    expect(await tokenInfo(t, serial)).toBeUndefined();

    // Deleting again: the documented 404 envelope.
    const again = await execute(del);
    expect(again.status).toBe(404);
    expect(again.body.result.error).toEqual({
      code: 601,
      message: 'The requested token could not be found.',
    });
    await b.shot('explorer-5-deleted');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
