// Plain functions of the njs modules, for the tests that run them under the njs command-line tool
// beside the control plane's own: kept apart from edge.ts, whose exports are the handlers nginx calls.
import cmcd from 'cmcd.js';
import cmsd from 'cmsd.js';
import signed from 'signed-urls.js';

export default {
  maxSuggestedBitrate: cmsd.maxSuggestedBitrate,
  verifyToken: signed.verifyToken,
  playlistWithToken: signed.playlistWithToken,
  parseCmcd: cmcd.parseCmcd,
};
