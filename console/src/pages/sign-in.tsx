import { useState } from 'preact/hooks'
import { api, type Me } from '../api.js'

/** Sign-in: a name and a password; the answer's message says when the account is locked. */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Me, csrf: string) => void }) {
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      const s = await api<{ user: Me; csrf: string }>('POST', '/session', { name, password })
      setPassword('')
      onSignedIn(s.user, s.csrf)
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="sign-in card" onSubmit={submit}>
      <h1>aftercare</h1>
      <p class="muted">Service planning and visits</p>
      <label>
        Name
        <input
          name="name"
          autocomplete="username"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          required
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  )
}
