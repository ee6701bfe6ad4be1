import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

/**
 * The OS packages `npm test` installs are the real parts the pipeline and edge tests drive; a
 * broken install should fail here, with a plain message, rather than deep inside those tests.
 */
describe('OS tools installed by npm test', () => {
  const run = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    assert.ok(!result.error, `${command} could not run: ${result.error?.message}`);
    return result;
  };

  it('nginx loads the njs module and accepts a config that imports an njs file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hls-nginx-'));
    try {
      await writeFile(path.join(dir, 'probe.js'), "function hello(r) { r.return(200, 'ok'); }\nexport default { hello };\n");
      await writeFile(
        path.join(dir, 'nginx.conf'),
        [
          'load_module /usr/lib/nginx/modules/ngx_http_js_module.so;',
          `pid ${dir}/nginx.pid;`,
          `error_log ${dir}/error.log;`,
          'events {}',
          'http {',
          `  js_path ${dir}/;`,
          '  js_import probe.js;',
          `  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};`,
          '  server { listen 127.0.0.1:1; location / { js_content probe.hello; } }',
          '}',
        ].join('\n'),
      );
      const result = run('nginx', ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /syntax is ok/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('njs runs a script', async () => {
    const file = path.join(os.tmpdir(), `hls-njs-${process.pid}.js`);
    await writeFile(file, 'console.log(6 * 7)\n');
    const result = run('njs', [file]);
    await rm(file, { force: true });
    assert.equal(result.stdout.trim(), '42');
  });

  it('ffmpeg encodes H.264 + AAC test media to MPEG-TS', () => {
    const result = run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=160x120:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine',
      '-t',
      '0.5',
      '-c:v',
      'libx264',
      '-c:a',
      'aac',
      '-f',
      'mpegts',
      '-',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.stdout.length > 188 * 10);
    assert.equal(result.stdout.charCodeAt(0), 0x47, 'starts with a TS sync byte');
  });

  it('chromium is installed', () => {
    const result = run('chromium', ['--version']);
    assert.match(result.stdout, /Chromium \d+/);
  });
});
