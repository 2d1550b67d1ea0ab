import { useState } from 'preact/hooks';
import { describeError, signIn, type Session } from '../api.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="sign-in">
      <h1>Drumbeat</h1>
      <p>Paste your API key once. It is exchanged for a session that ends after a few hours; the key is not kept by this page.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const input = form.elements.namedItem('apiKey') as HTMLInputElement;
          setBusy(true);
          setError(null);
          signIn(input.value.trim()).then(
            (s) => {
              input.value = '';
              onSignedIn(s);
            },
            (err: unknown) => {
              setBusy(false);
              setError(describeError(err));
            },
          );
        }}
      >
        <label for="api-key">API key</label>
        <input id="api-key" name="apiKey" type="password" autocomplete="off" required spellcheck={false} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
