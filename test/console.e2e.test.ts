import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { startEncoder } from './support/encoder.js';
import { readEvents } from './support/sse.js';
import { freeUdpPortBlock } from './support/ports.js';
import { eventually, startSystem, SystemUnderTest } from './support/system.js';
import { UdpRelay } from './support/udp-relay.js';

/** Screenshots of each page, for a person to look at after a run (git-ignored). */
const ARTIFACTS = path.resolve('test-artifacts', 'console');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core on the page as it is: no serious or critical violation. */
async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${what}: axe-core found serious violations`);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('web console in Chromium: sign-in, streams, live charts, forms, read keys', () => {
  let system: SystemUnderTest;
  let browser: Browser;
  let page: Page;
  let relay: UdpRelay | null = null;
  const base = () => `http://127.0.0.1:${system.apiPort}`;
  const consoleLines: string[] = [];
  /** Runs a step; a failure carries what the page showed and logged, and a screenshot. */
  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      try {
        await fn();
      } catch (error) {
        const text = await page
          .locator('body')
          .innerText()
          .catch(() => '(no page)');
        await shot(page, `failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
        throw new Error(`${(error as Error).message}\n--- page (${page.url()}):\n${text.slice(0, 2000)}\n--- console:\n${consoleLines.slice(-20).join('\n')}`, {
          cause: error,
        });
      }
    });

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    // With the local edge, as npm start runs it: the origin and the edge are nodes, previews go through the edge.
    system = await startSystem({ edge: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`page error: ${e.message}`));
  });
  after(async () => {
    relay?.stop();
    await browser?.close();
    await system?.dispose();
  });

  const signIn = async (key: string) => {
    await page.goto(`${base()}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('session').waitFor();
  };

  step('signs in with the admin token; a wrong key is refused with a message', async () => {
    await page.goto(`${base()}/`);
    await assertAccessible(page, 'sign-in');
    await shot(page, 'sign-in');
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /not known/);
    // Keyboard only: Tab reaches the key field first, Enter submits.
    await page.goto(`${base()}/`);
    await page.getByLabel('API key').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'api-key', 'the key field is the first stop');
    await page.keyboard.type(system.token);
    await page.keyboard.press('Enter');
    await page.getByTestId('session').waitFor();
    assert.match(await page.getByTestId('session').innerText(), /admin/);
    await page.getByText('live updates on').waitFor({ timeout: 10_000 });
  });

  step('creates a stream through the form: a bad value gets the API message beside its field, then it is created', async () => {
    await page.getByRole('link', { name: 'New stream' }).click();
    await page.getByLabel('Key (used in URLs)').fill('console-fec');
    await page.getByLabel('Name').fill('Console FEC');
    await page.getByLabel('Protocol').selectOption('rtp');
    await page.getByLabel('UDP port').fill('70000');
    await page.getByRole('button', { name: 'Create stream' }).click();
    const fieldError = page.locator('.field-error[data-field="ingest.port"]');
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /port/i);
    assert.equal(await page.getByLabel('UDP port').getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'stream form with an error');
    await shot(page, 'stream-form-error');

    const port = await freeUdpPortBlock();
    await page.getByLabel('UDP port').fill(String(port));
    await page.getByLabel('Segment seconds').fill('2');
    await page.getByRole('button', { name: 'Create stream' }).click();
    await page.waitForURL(/#\/streams\/console-fec$/);
    const stream = (await system.api('GET', '/api/v1/streams/console-fec')).json;
    assert.equal(stream.ingest.port, port);
    assert.deepEqual(stream.ingest.fec, { columns: 5, rows: 10 });
    assert.equal(stream.packaging.segmentSeconds, 2);
  });

  step('stream page: the feed through a lossy relay plays in the preview; bitrate and FEC charts fill in live', async () => {
    const port = (await system.api('GET', '/api/v1/streams/console-fec')).json.ingest.port;
    const relayPort = await freeUdpPortBlock();
    relay = new UdpRelay({ from: relayPort, to: port, fec: true, dropRate: 0.02, minDropGap: 5, reorderRate: 0, seed: 7 });
    await relay.start();
    const encoder = startEncoder({ protocol: 'rtp', port: relayPort, fec: { columns: 5, rows: 10 }, seconds: 40 });
    try {
      assert.match(await page.getByTestId('ingest-ffmpeg').inputValue(), /^ffmpeg .*rtp:\/\//);
      // The preview plays: hls.js attached and the playhead moving on.
      await page.waitForFunction(() => (document.querySelector('[data-testid=preview]') as HTMLVideoElement)?.currentTime > 1, undefined, { timeout: 40_000 });
      const at = await page.evaluate(() => (document.querySelector('[data-testid=preview]') as HTMLVideoElement).currentTime);
      await page.waitForFunction((t) => (document.querySelector('[data-testid=preview]') as HTMLVideoElement).currentTime > t + 2, at, { timeout: 15_000 });
      // The charts get points from the live events, and the FEC chart shows recoveries.
      const points = async () => Number(await page.getByTestId('chart-bitrate').getAttribute('data-points'));
      const before = await points();
      await eventually(async () => ((await points()) >= before + 3 ? true : undefined), 15_000, 'the bitrate chart gets new points');
      await eventually(
        async () => {
          const sums = JSON.parse((await page.getByTestId('chart-loss').getAttribute('data-sums')) ?? '{}');
          const figures = await page.getByTestId('figures').innerText();
          const recovered = /lost \/ recovered \/ unrecoverable\s+(\d+) \/ (\d+) \/ (\d+)/.exec(figures);
          return recovered && Number(recovered[2]) > 0 && sums['recovered by FEC'] > 0 ? true : undefined;
        },
        30_000,
        'recoveries by FEC shown',
      );
      assert.ok(relay.dropped > 0);
      // A viewer on the player page (it sends CMCD through the edge) shows up in the viewer charts.
      const viewer = await browser.newPage();
      try {
        await viewer.goto(`${base()}/player?stream=console-fec`);
        await viewer.waitForFunction(() => document.getElementById('state')?.textContent === 'playing', undefined, { timeout: 30_000 });
        await page.getByTestId('chart-viewers').waitFor({ timeout: 30_000 });
        await eventually(
          async () => (JSON.parse((await page.getByTestId('chart-viewers').getAttribute('data-sums')) ?? '{}').viewers > 0 ? true : undefined),
          20_000,
          'the viewers chart counts the player',
        );
      } finally {
        await viewer.close();
      }
      await assertAccessible(page, 'stream page');
      await shot(page, 'stream-page');
      // The list shows it live too.
      await page.getByRole('link', { name: 'Streams' }).click();
      const row = page.locator('tr[data-stream="console-fec"]');
      await row.waitFor();
      await eventually(async () => ((await row.innerText()).includes('live') ? true : undefined), 10_000, 'the row shows the stream live');
      await assertAccessible(page, 'streams list');
      await shot(page, 'streams');
      await page.setViewportSize({ width: 390, height: 844 });
      await assertAccessible(page, 'streams list at phone width');
      await shot(page, 'streams-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
    } finally {
      encoder.child.kill('SIGKILL');
      await encoder.done.catch(() => undefined);
    }
  });

  step('a signed stream: the page makes a signed URL and the preview plays with it', async () => {
    const patched = await system.api('PATCH', '/api/v1/streams/console-fec', { playback: { signedUrls: true } });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    const port = patched.json.ingest.port;
    const encoder = startEncoder({ protocol: 'rtp', port, fec: { columns: 5, rows: 10 }, seconds: 40 });
    try {
      await page.goto(`${base()}/#/streams/console-fec`);
      await page.getByText('Playback is signed.').waitFor();
      assert.equal(await page.getByTestId('preview').count(), 0, 'no preview without a token');
      await page.getByRole('button', { name: 'Make a signed URL (1 hour)' }).click();
      const url = await page.getByTestId('playback-url').inputValue();
      assert.match(url, /\/live\/console-fec\/index\.m3u8\?token=[^&]+$/);
      // The edge applies the change within a moment of the PATCH; from then on the token is needed.
      const unsignedUrl = url.replace(/\?token=.*$/, '');
      await eventually(async () => ((await fetch(unsignedUrl)).status === 403 ? true : undefined), 10_000, 'the edge refuses the playlist without the token');
      await page.waitForFunction(() => (document.querySelector('[data-testid=preview]') as HTMLVideoElement)?.currentTime > 1, undefined, { timeout: 40_000 });
      await shot(page, 'stream-page-signed');
    } finally {
      encoder.child.kill('SIGKILL');
      await encoder.done.catch(() => undefined);
      await system.api('PATCH', '/api/v1/streams/console-fec', { playback: { signedUrls: false } });
    }
  });

  step("an edit over someone else's change gets 412, and the form says so", async () => {
    await page.goto(`${base()}/#/streams/console-fec/edit`);
    await page.getByLabel('Name').waitFor();
    await eventually(async () => ((await page.getByLabel('Name').inputValue()) === 'Console FEC' ? true : undefined), 5000, 'the form loaded');
    const other = await system.api('PATCH', '/api/v1/streams/console-fec', { name: 'Changed elsewhere' });
    assert.equal(other.status, 200);
    await page.getByLabel('Name').fill('My change');
    await page.getByRole('button', { name: 'Save' }).click();
    const message = page.getByTestId('form-message');
    await message.waitFor();
    assert.match(await message.innerText(), /Someone else changed this stream/);
    assert.equal((await system.api('GET', '/api/v1/streams/console-fec')).json.name, 'Changed elsewhere', 'the stale edit was not applied');
    await eventually(
      async () => ((await page.getByLabel('Name').inputValue()) === 'Changed elsewhere' ? true : undefined),
      5000,
      'the form reloaded their version',
    );
    await shot(page, 'stream-form-conflict');
  });

  step("a key that is taken gets the API's 409 beside the key field", async () => {
    await page.goto(`${base()}/#/streams/new`);
    await page.getByLabel('Key (used in URLs)').fill('console-fec');
    await page.getByLabel('Name').fill('Duplicate');
    await page.getByLabel('UDP port').fill(String(await freeUdpPortBlock()));
    await page.getByRole('button', { name: 'Create stream' }).click();
    const fieldError = page.locator('.field-error[data-field="key"]');
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /already exists/);
    assert.equal((await system.api('GET', '/api/v1/streams')).json.total, 1, 'nothing was created');
  });

  step('nodes and audit pages list what the API has, accessibly', async () => {
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByTestId('nodes-table').waitFor();
    assert.match(await page.getByTestId('nodes-table').innerText(), /origin/);
    assert.match(await page.getByTestId('nodes-table').innerText(), /edge/);
    assert.equal(await page.getByRole('button', { name: /Purge cache/ }).count(), 1, 'one edge, one purge button');
    // Steering: the stream's players are sent to the local edge first.
    await page.getByTestId('steering-table').waitFor();
    assert.match(await page.getByTestId('steering-table').locator('tr', { hasText: 'console-fec' }).innerText(), /local-edge/);
    // Node health arrives as live events (every probe round).
    const events = await readEvents(`${base()}/api/v1/events?types=node`, system.token, (list) => list.some((e) => e.data.name === 'local-edge'), 20_000);
    const edge = events.find((e) => e.data.name === 'local-edge');
    assert.equal(edge?.data.status, 'up', JSON.stringify(events));
    await assertAccessible(page, 'nodes');
    await shot(page, 'nodes');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByTestId('audit-table').waitFor();
    assert.match(await page.getByTestId('audit-table').innerText(), /update stream/);
    await assertAccessible(page, 'audit');
    await shot(page, 'audit');
  });

  step('a read key sees everything and no write controls', async () => {
    const key = await system.api('POST', '/api/v1/api-keys', { name: 'viewer', scope: 'read' });
    assert.equal(key.status, 201);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(key.json.secret);
    assert.match(await page.getByTestId('session').innerText(), /read/);
    await page.getByTestId('streams-table').waitFor();
    assert.equal(await page.getByRole('link', { name: 'New stream' }).count(), 0);
    await page.getByRole('link', { name: 'console-fec' }).click();
    await page.getByTestId('figures').waitFor();
    for (const name of ['Edit', 'Disable', 'Delete'])
      assert.equal(await page.getByRole('button', { name }).or(page.getByRole('link', { name })).count(), 0, name);
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByTestId('nodes-table').waitFor();
    assert.equal(await page.getByRole('button', { name: /Purge/ }).count(), 0);
    await assertAccessible(page, 'read-only stream list');
  });
});
