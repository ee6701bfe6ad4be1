// OS packages the system and its tests need, checked before they run. As root on Debian/Ubuntu
// they are installed with apt-get; otherwise the bootstrap stops with the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** `for`: which README command needs it. `present`: how to tell it is installed. */
const REQUIREMENTS = [
  {
    name: 'nginx with the njs module (origin and edges)',
    for: ['start', 'test'],
    apt: ['nginx', 'libnginx-mod-http-js'],
    present: () => commandWorks('nginx', ['-v']) && existsSync(NJS_MODULE),
  },
  {
    name: 'njs command-line tool (checks the njs build of wasm-core)',
    for: ['test'],
    apt: ['njs'],
    present: () => commandWorks('njs', ['-v']),
  },
  {
    name: "ffmpeg (ABR transcoding and quality scores; the tests' encoder and segment checks)",
    for: ['start', 'test'],
    apt: ['ffmpeg'],
    present: () => commandWorks('ffmpeg', ['-version']),
  },
  {
    name: 'srt-tools (srt-live-transmit: the SRT ingest listener)',
    for: ['start', 'test'],
    apt: ['srt-tools'],
    present: () => commandWorks('srt-live-transmit', ['-version']),
  },
  {
    name: 'the nginx RTMP module (libnginx-mod-rtmp: the RTMP ingest front)',
    for: ['start', 'test'],
    apt: ['libnginx-mod-rtmp'],
    present: () => existsSync(RTMP_MODULE),
  },
  {
    name: 'rist-tools (ristsender: a second RIST sender in the tests)',
    for: ['test'],
    apt: ['rist-tools'],
    // ristsender --help exits 1; the binary being there is the check.
    present: () => existsSync('/usr/bin/ristsender'),
  },
  {
    name: 'chromium (plays streams with hls.js in the end-to-end tests)',
    for: ['test'],
    apt: ['chromium'],
    present: () => commandWorks('chromium', ['--version']),
  },
  {
    name: 'docker-compose (validates docker-compose.yml)',
    for: ['test'],
    apt: ['docker-compose'],
    present: () => commandWorks('docker-compose', ['version']),
  },
];

/** Where Debian's libnginx-mod-http-js puts the module. */
export const NJS_MODULE = '/usr/lib/nginx/modules/ngx_http_js_module.so';
/** Where Debian's libnginx-mod-rtmp puts the module. */
export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

function commandWorks(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

export function ensureOsPackages(purpose, { say, fail }) {
  const missing = REQUIREMENTS.filter((r) => r.for.includes(purpose) && !r.present());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((r) => r.apt))];
  const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    fail(`missing: ${missing.map((r) => r.name).join(', ')}.\nInstall them with:\n  sudo sh -c '${command}'`);
  }
  say(`installing OS packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) fail(`apt-get ${args.join(' ')} failed; run it by hand: ${command}`);
  }
  const still = missing.filter((r) => !r.present());
  if (still.length) fail(`still missing after apt-get: ${still.map((r) => r.name).join(', ')}`);
}
