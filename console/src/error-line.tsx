import { ApiError } from './api.js'

/** Shows what went wrong in words; a session that ended sends the person back to sign in. */
export function ErrorLine({ error }: { error: unknown }) {
  if (!error) return null
  if (error instanceof ApiError && error.status === 401) {
    location.reload()
    return null
  }
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  )
}
