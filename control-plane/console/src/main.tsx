// The web console: sign-in, streams (list, page, forms), nodes and the audit log, over the REST
// API and one live event stream. Hash routes keep it one static page the control plane serves at /.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, Session, storedKey, storeKey } from './api.js';
import * as live from './live.js';
import { AuditPage } from './audit-page.js';
import { NodesPage } from './nodes-page.js';
import { SignIn } from './sign-in.js';
import { StreamForm } from './stream-form.js';
import { StreamPage } from './stream-page.js';
import { StreamsPage } from './streams-page.js';
import './console.css';

type Route = { page: 'streams' } | { page: 'new' } | { page: 'stream'; key: string } | { page: 'edit'; key: string } | { page: 'nodes' } | { page: 'audit' };

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'nodes') return { page: 'nodes' };
  if (parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'streams' && parts[1] === 'new') return { page: 'new' };
  if (parts[0] === 'streams' && parts[1] && parts[2] === 'edit') return { page: 'edit', key: parts[1] };
  if (parts[0] === 'streams' && parts[1]) return { page: 'stream', key: parts[1] };
  return { page: 'streams' };
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(Boolean(storedKey()));
  const [route, setRoute] = useState<Route>(parseRoute(location.hash));
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // A key kept from earlier in this tab: check it is still good.
  useEffect(() => {
    if (!storedKey()) return;
    api<Session>('GET', '/api/v1/session')
      .then(({ body }) => setSession(body))
      .catch(() => storeKey(null))
      .finally(() => setChecking(false));
  }, []);

  useEffect(() => {
    if (!session) return;
    live.start();
    const off = live.onConnection(setConnected);
    return () => {
      off();
      live.stop();
    };
  }, [session]);

  if (checking) return <main aria-busy="true">Loading...</main>;
  if (!session) return <SignIn onSignedIn={setSession} />;
  const admin = session.scope === 'admin';
  const signOut = () => {
    storeKey(null);
    setSession(null);
  };

  return (
    <>
      <header class="top">
        <a class="brand" href="#/streams">
          hls-origin
        </a>
        <nav aria-label="Main">
          <a href="#/streams" aria-current={route.page === 'streams' || route.page === 'stream' ? 'page' : undefined}>
            Streams
          </a>
          <a href="#/nodes" aria-current={route.page === 'nodes' ? 'page' : undefined}>
            Nodes
          </a>
          <a href="#/audit" aria-current={route.page === 'audit' ? 'page' : undefined}>
            Audit log
          </a>
        </nav>
        <span class={`live-dot ${connected ? 'up' : 'down'}`} data-testid="live-state">
          {connected ? 'live updates on' : 'live updates off'}
        </span>
        <span class="who" data-testid="session">
          {session.name} ({session.scope})
        </span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      {route.page === 'streams' && <StreamsPage admin={admin} />}
      {route.page === 'new' && <StreamForm admin={admin} />}
      {route.page === 'edit' && <StreamForm admin={admin} streamKey={route.key} />}
      {route.page === 'stream' && <StreamPage admin={admin} streamKey={route.key} />}
      {route.page === 'nodes' && <NodesPage admin={admin} />}
      {route.page === 'audit' && <AuditPage />}
    </>
  );
}

render(<App />, document.getElementById('app')!);
