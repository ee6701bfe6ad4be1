import { useState } from 'preact/hooks';
import { api, ApiFailure, Session, storeKey } from './api.js';

/** Sign-in with an API key (admin or read) or the admin token `npm start` prints; kept for this tab only. */
export function SignIn(props: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { body } = await api<Session>('GET', '/api/v1/session', { key: key.trim() });
      storeKey(key.trim());
      props.onSignedIn(body);
    } catch (failure) {
      setError(failure instanceof ApiFailure && failure.status === 401 ? 'That key is not known (or was revoked).' : (failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>hls-origin console</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="current-password"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          required
        />
        <p class="hint">
          An admin or read key (POST /api/v1/api-keys), or the admin token <code>npm start</code> printed.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
