import { LIVE_DIR, MASTER_PLAYLIST } from '../media/hls-layout.js';
import { LIVE_JUMP_SOURCE } from './live-jump.js';

/**
 * A minimal hls.js player page, so an operator can watch a stream straight after creating it:
 * /player?stream=<key> plays http://<this host>:<HLS_HTTP_PORT>/live/<key>/index.m3u8 (through
 * the local edge, with Content Steering, when HLS_EDGE_PORT is set), or /player?src=<any playlist
 * URL>; &token=<token> for signed streams. It sends CMCD (query mode) so the edge's viewer
 * metrics fill in, and gives up on a failing edge after a couple of quick retries so steering can
 * move it to another pathway. Status lines (state, the rung playing) are exposed for automated checks.
 * With #apikey=<key> it also shows how to send to the stream (ingest-urls: ffmpeg, OBS, notes).
 */
export function playerPage(hlsHttpPort: number, hlsEdgePort: number | null = null): string {
  const playbackPort = hlsEdgePort ?? hlsHttpPort;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hls-origin player</title>
<style>body{font:14px system-ui,sans-serif;margin:1rem;background:#111;color:#eee}video{width:100%;max-width:960px;background:#000}code{color:#9cf}</style>
</head>
<body>
<video id="video" controls muted autoplay playsinline></video>
<p>source: <code id="source"></code></p>
<p>state: <code id="state">loading</code></p>
<p>rendition: <code id="rendition">-</code></p>
<section id="send" hidden>
<h2 style="font-size:1rem">Send to this stream</h2>
<p>protocol: <code id="send-protocol"></code>, URL: <code id="send-url"></code></p>
<p>ffmpeg: <code id="send-ffmpeg"></code></p>
<p id="send-obs-line" hidden>OBS (Settings &gt; Stream, Custom): server <code id="send-obs-server"></code>, stream key <code id="send-obs-key"></code></p>
<ul id="send-notes"></ul>
</section>
<p id="send-hint" hidden>Sender settings: open this page with <code>#apikey=&lt;an API key&gt;</code> (a read key will do), or GET <code>/api/v1/streams/&lt;key&gt;/ingest-urls</code>.</p>
<script src="/player/hls.min.js"></script>
<script>
${LIVE_JUMP_SOURCE}
(function () {
  var params = new URLSearchParams(location.search);
  var key = params.get('stream');
  var token = params.get('token');
  var src = params.get('src') || (key ? location.protocol + '//' + location.hostname + ':${playbackPort}/${LIVE_DIR}/' + encodeURIComponent(key) + '/${MASTER_PLAYLIST}' + (token ? '?token=' + encodeURIComponent(token) : '') : '');
  var video = document.getElementById('video');
  var state = document.getElementById('state');
  document.getElementById('source').textContent = src || 'add ?stream=<key> or ?src=<playlist URL>';
  window.playerErrors = [];
  if (!src) { state.textContent = 'no source'; return; }
  if (window.Hls && Hls.isSupported()) {
    // Two quick retries, then hls.js moves to another pathway (or reports the failure).
    var retry = { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 2000 };
    var policy = function (firstByteMs, loadMs) {
      return { default: { maxTimeToFirstByteMs: firstByteMs, maxLoadTimeMs: loadMs, timeoutRetry: retry, errorRetry: retry } };
    };
    var hls = new Hls({
      liveDurationInfinity: true,
      // Catch up to the live edge by playing a little faster when behind (hls.js's default of 1 never
      // does: a viewer stays as far behind as they joined, 2.6 s instead of about 1 s with LL-HLS).
      maxLiveSyncPlaybackRate: 1.5,
      cmcd: { contentId: key || src },
      fragLoadPolicy: policy(8000, 20000),
      playlistLoadPolicy: policy(5000, 10000),
    });
    window.currentPathway = function () {
      var level = hls.levels && hls.levels[hls.currentLevel >= 0 ? hls.currentLevel : hls.loadLevel];
      return level ? level.pathwayId : null;
    };
    // After a stall hls.js plays that much further behind, up to a target duration: a second by
    // default, sized for segments of seconds. With LL-HLS parts one stall would more than double
    // the latency for good; two parts' worth keeps the same protection at the parts' scale.
    hls.on(Hls.Events.LEVEL_LOADED, function (_, data) {
      if (data.details.partTarget > 0) hls.config.liveSyncOnStallIncrease = 2 * data.details.partTarget;
    });
    // Which rung plays (ABR ladders): shown, and kept for automated checks, at each switch.
    window.levelSwitches = [];
    hls.on(Hls.Events.LEVEL_SWITCHED, function (_, data) {
      var level = hls.levels[data.level];
      var name = (level.uri || level.url[0] || '').split('/').slice(-2, -1)[0] || String(data.level);
      window.levelSwitches.push({ level: data.level, name: name, height: level.height, bitrate: level.bitrate, at: video.currentTime });
      document.getElementById('rendition').textContent = name + ' (' + level.width + 'x' + level.height + ', ' + Math.round(level.bitrate / 1000) + ' kbit/s)';
    });
    hls.on(Hls.Events.ERROR, function (_, data) {
      var url = data.url || (data.frag && data.frag.url) || (data.context && data.context.url) || null;
      var code = data.response ? data.response.code : null;
      window.playerErrors.push({ fatal: data.fatal, type: data.type, details: data.details, url: url, code: code, at: video.currentTime });
      if (data.fatal) state.textContent = 'fatal error: ' + data.details;
    });
    // Back to live when hls.js joined a low-latency stream too far behind to catch up by itself
    // (live-jump.ts), until the viewer seeks or pauses. window.liveJumps() counts the jumps.
    window.liveJumps = installLiveJump(video, function () {
      var level = hls.levels && hls.levels[hls.currentLevel];
      return { latency: hls.latency, targetLatency: hls.targetLatency, maxLatency: hls.maxLatency, liveSyncPosition: hls.liveSyncPosition, details: (level && level.details) || null };
    }, 2000, beyondCatchUp);
    hls.loadSource(src);
    hls.attachMedia(video);
    window.hls = hls;
  } else {
    video.src = src; // Safari plays HLS natively
  }
  video.addEventListener('playing', function () { state.textContent = 'playing'; });
  // How to send to the stream (GET ingest-urls), for whoever has an API key: it is taken from the
  // fragment, which the browser never sends to a server. Text only, never markup.
  var apiKey = new URLSearchParams(location.hash.slice(1)).get('apikey');
  if (key && !apiKey) document.getElementById('send-hint').hidden = false;
  if (key && apiKey) {
    fetch('/api/v1/streams/' + encodeURIComponent(key) + '/ingest-urls?host=' + encodeURIComponent(location.hostname), { headers: { Authorization: 'Bearer ' + apiKey } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status)); })
      .then(function (u) {
        document.getElementById('send-protocol').textContent = u.protocol;
        document.getElementById('send-url').textContent = u.url;
        document.getElementById('send-ffmpeg').textContent = u.ffmpeg;
        if (u.obs) {
          document.getElementById('send-obs-server').textContent = u.obs.server;
          document.getElementById('send-obs-key').textContent = u.obs.streamKey || '(empty)';
          document.getElementById('send-obs-line').hidden = false;
        }
        var list = document.getElementById('send-notes');
        (u.notes || []).forEach(function (n) { var li = document.createElement('li'); li.textContent = n; list.appendChild(li); });
        document.getElementById('send').hidden = false;
      })
      .catch(function (e) { var hint = document.getElementById('send-hint'); hint.textContent = 'Sender settings could not be read: ' + e.message; hint.hidden = false; });
  }
  video.play().catch(function () {});
})();
</script>
</body>
</html>
`;
}
