/**
 * The web console's one HTML page: the bundle (built by control-plane/console/build.mjs into
 * dist/console) does the rest over the API. Where viewers play (the edge when there is one, else
 * the origin) is told in a meta tag, as the player page does, so previews use the same URL viewers do.
 */
export function consolePage(playbackPort: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="hls-playback-port" content="${playbackPort}">
<title>hls-origin console</title>
<link rel="stylesheet" href="/console/console.css">
</head>
<body>
<div id="app"></div>
<noscript>The console needs JavaScript. The REST API is at /api/v1 (docs: /api/docs).</noscript>
<script src="/player/hls.min.js"></script>
<script type="module" src="/console/console.js"></script>
</body>
</html>
`;
}
