import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../control-plane/src/config/app-config.js';

describe('configuration from the environment', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({}, '/srv/hls');
    assert.deepEqual(config, {
      host: '0.0.0.0',
      port: 3000,
      hlsHttpPort: 8080,
      hlsHttpBind: '0.0.0.0',
      hlsEdgePort: null,
      databaseUrl: null,
      adminToken: null,
      mediaRoot: '/srv/hls/data/media',
      dataDir: '/srv/hls/data',
      ingestWorkers: 2,
      nginxBinary: 'nginx',
      localOrigin: true,
      publicHost: '127.0.0.1',
      edgeCacheSize: '1g',
      healthCheckIntervalMs: 2000,
      steeringTtlSeconds: 10,
      controlPlaneAddress: '127.0.0.1:3000',
      qualityProbeSeconds: 60,
      rtmpPort: 1935,
    });
  });

  it('reads every key', () => {
    const config = loadConfig(
      {
        PORT: '3100',
        HLS_HTTP_PORT: '8180',
        HLS_EDGE_PORT: '8181',
        DATABASE_URL: 'postgres://u:p@db:5432/hls',
        HLS_ADMIN_TOKEN: 's3cret',
        MEDIA_ROOT: '/media',
        DATA_DIR: 'state',
        HOST: '127.0.0.1',
        HLS_PUBLIC_HOST: 'media.example.net',
        HLS_LOCAL_ORIGIN: 'false',
        HLS_EDGE_CACHE_SIZE: '5g',
        HEALTH_CHECK_INTERVAL_MS: '500',
        STEERING_TTL_SECONDS: '30',
        HLS_CONTROL_PLANE_ADDRESS: 'control-plane:3000',
        QUALITY_PROBE_SECONDS: '15',
      },
      '/srv/hls',
    );
    assert.equal(config.port, 3100);
    assert.equal(config.hlsHttpPort, 8180);
    assert.equal(config.hlsEdgePort, 8181);
    assert.equal(config.hlsHttpBind, '127.0.0.1', 'loopback when a local edge fronts the origin');
    assert.equal(loadConfig({ HLS_EDGE_PORT: '8181', HLS_HTTP_BIND: '0.0.0.0' }).hlsHttpBind, '0.0.0.0');
    assert.equal(loadConfig({ HLS_HTTP_BIND: '[::1]' }).hlsHttpBind, '[::1]');
    assert.equal(config.databaseUrl, 'postgres://u:p@db:5432/hls');
    assert.equal(config.adminToken, 's3cret');
    assert.equal(config.mediaRoot, '/media');
    assert.equal(config.dataDir, '/srv/hls/state');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.publicHost, 'media.example.net');
    assert.equal(config.localOrigin, false);
    assert.equal(config.edgeCacheSize, '5g');
    assert.equal(config.healthCheckIntervalMs, 500);
    assert.equal(config.steeringTtlSeconds, 30);
    assert.equal(config.controlPlaneAddress, 'control-plane:3000');
    assert.equal(config.qualityProbeSeconds, 15);
    assert.equal(loadConfig({ PORT: '3100' }).controlPlaneAddress, '127.0.0.1:3100', 'the local API by default');
  });

  it('treats blank values as unset', () => {
    assert.equal(loadConfig({ PORT: '  ', HLS_ADMIN_TOKEN: '' }).port, 3000);
    assert.equal(loadConfig({ HLS_ADMIN_TOKEN: '' }).adminToken, null);
  });

  for (const [key, value, pattern] of [
    ['PORT', 'abc', /PORT must be a TCP port number/],
    ['PORT', '70000', /PORT must be between 1 and 65535/],
    ['HLS_HTTP_PORT', '0', /HLS_HTTP_PORT must be between/],
    ['HLS_EDGE_PORT', '-1', /HLS_EDGE_PORT must be a TCP port/],
    ['DATABASE_URL', 'localhost:5432', /DATABASE_URL must use the postgres:\/\/ scheme|DATABASE_URL must be a URL/],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL must use the postgres/],
    ['HLS_ADMIN_TOKEN', 'two words', /HLS_ADMIN_TOKEN must not contain white space/],
    ['INGEST_WORKERS', '0', /INGEST_WORKERS must be a whole number from 1 to 64/],
    ['HLS_PUBLIC_HOST', 'http://x:80', /HLS_PUBLIC_HOST must be a host name/],
    ['HLS_HTTP_BIND', 'localhost', /HLS_HTTP_BIND must be an IPv4 address/],
    ['HLS_HTTP_BIND', '300.1.1.1', /HLS_HTTP_BIND must be an IPv4 address/],
    ['HLS_LOCAL_ORIGIN', 'maybe', /HLS_LOCAL_ORIGIN must be true or false/],
    ['HLS_EDGE_CACHE_SIZE', '5 GB', /HLS_EDGE_CACHE_SIZE must be an nginx size/],
    ['HEALTH_CHECK_INTERVAL_MS', '10', /HEALTH_CHECK_INTERVAL_MS must be a whole number from 100/],
    ['STEERING_TTL_SECONDS', '0', /STEERING_TTL_SECONDS must be a whole number from 1/],
    ['QUALITY_PROBE_SECONDS', '1', /QUALITY_PROBE_SECONDS must be a whole number from 5 to 3600/],
    ['HLS_CONTROL_PLANE_ADDRESS', 'http://cp:3000', /HLS_CONTROL_PLANE_ADDRESS must be host:port/],
    ['HLS_CONTROL_PLANE_ADDRESS', 'cp:99999', /HLS_CONTROL_PLANE_ADDRESS must be host:port/],
  ] as const) {
    it(`stops with the key's name for ${key}=${value}`, () => {
      assert.throws(
        () => loadConfig({ [key]: value }),
        (error: unknown) => error instanceof ConfigError && error.key === key && pattern.test(error.message),
      );
    });
  }
});
