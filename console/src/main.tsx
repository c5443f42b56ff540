import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, setCsrf, type Me } from './api.js'
import { DevicePage } from './pages/device.js'
import { OrderPage } from './pages/order.js'
import { PipelinePage } from './pages/pipeline.js'
import { PlannerPage } from './pages/planner.js'
import { QualityPage } from './pages/quality.js'
import { SignIn } from './pages/sign-in.js'
import { TechnicianPage } from './pages/technician.js'

/** The page the address's #fragment names: #/planner, #/today, #/device/pur-1, #/order/42, #/quality, #/pipeline. */
function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent)
  const [route, setRoute] = useState(read)
  useEffect(() => {
    const onChange = () => setRoute(read())
    addEventListener('hashchange', onChange)
    return () => removeEventListener('hashchange', onChange)
  }, [])
  return route
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const route = useRoute()
  useEffect(() => {
    api<{ user: Me; csrf: string }>('GET', '/session').then(
      (s) => {
        setCsrf(s.csrf)
        setMe(s.user)
      },
      () => setMe(null)
    )
  }, [])
  if (me === undefined) return <p class="muted pad">Loading…</p>
  if (me === null)
    return (
      <SignIn
        onSignedIn={(user, csrf) => {
          setCsrf(csrf)
          setMe(user)
        }}
      />
    )
  const home = me.role === 'technician' ? 'today' : 'planner'
  const page = route[0] || home
  const signOut = async () => {
    await api('DELETE', '/session').catch(() => undefined)
    setMe(null)
    location.hash = ''
  }
  const links: [string, string][] =
    me.role === 'technician'
      ? [['today', 'Today']]
      : [
          ['planner', 'Planner'],
          ['today', 'Today'],
          ['quality', 'Quality'],
          // the pipeline's dead letters span every outlet's devices
          ...(me.outlet ? [] : ([['pipeline', 'Pipeline']] as [string, string][]))
        ]
  return (
    <>
      <header class="top">
        <strong class="brand">aftercare</strong>
        <nav>
          {links.map(([id, label]) => (
            <a key={id} href={`#/${id}`} class={page === id ? 'on' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {me.name} · {me.role}
          {me.outlet ? ` · ${me.outlet}` : ''}
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        {page === 'planner' && <PlannerPage me={me} />}
        {page === 'today' && <TechnicianPage me={me} />}
        {page === 'device' && route[1] && <DevicePage id={route[1]} />}
        {page === 'order' && route[1] && <OrderPage id={route[1]} />}
        {page === 'quality' && <QualityPage me={me} />}
        {page === 'pipeline' && <PipelinePage />}
      </main>
    </>
  )
}

const root = document.getElementById('app')
if (root) render(<App />, root)
