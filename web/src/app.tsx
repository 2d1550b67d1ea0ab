import { useEffect, useState } from 'preact/hooks';
import { api, ok, resumeSession, signOut, whenUnauthorized, type Session } from './api.ts';
import { SCREENS, screensFor, type ScreenId } from './roles.ts';
import { BoardScreen } from './screens/board.tsx';
import { CapacityScreen } from './screens/capacity.tsx';
import { FloorScreen } from './screens/floor.tsx';
import { KpiScreen } from './screens/kpis.tsx';
import { SalesScreen } from './screens/sales.tsx';
import { SignIn } from './screens/sign-in.tsx';
import { TimelineScreen } from './screens/timeline.tsx';

interface Plant {
  id: string;
  name: string;
  timeZone: string;
}

const screenFromHash = (): string => window.location.hash.replace(/^#\/?/, '');

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    whenUnauthorized(() => setSession(null));
    resumeSession().then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <p class="muted center">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  return (
    <Shell
      session={session}
      onSignOut={() => {
        void signOut().finally(() => setSession(null));
      }}
    />
  );
}

async function loadPlants(session: Session): Promise<Plant[]> {
  const res = await api.GET('/v1/plants');
  if (res.response.ok) {
    const items = (await ok(Promise.resolve(res))).items;
    return session.plantIds ? items.filter((p) => session.plantIds!.includes(p.id)) : items;
  }
  // A role that may not list plants (floor) still knows the plants its key is scoped to.
  return (session.plantIds ?? []).map((id) => ({ id, name: id, timeZone: 'UTC' }));
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const screens = screensFor(session.role);
  const [hash, setHash] = useState(screenFromHash());
  const [plants, setPlants] = useState<Plant[] | null>(null);
  const [plantId, setPlantId] = useState<string | null>(null);
  useEffect(() => {
    const onHash = () => setHash(screenFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    loadPlants(session).then(
      (list) => {
        setPlants(list);
        const remembered = sessionStorage.getItem('drumbeat.plant');
        setPlantId(list.find((p) => p.id === remembered)?.id ?? list[0]?.id ?? null);
      },
      () => setPlants([]),
    );
  }, [session]);
  const screen: ScreenId | undefined = screens.includes(hash as ScreenId) ? (hash as ScreenId) : screens[0];
  const plant = plants?.find((p) => p.id === plantId);
  useEffect(() => {
    if (screen) document.title = `${SCREENS[screen].title} · Drumbeat`;
  }, [screen]);
  return (
    <div class="shell">
      <header class="top">
        <a class="skip" href="#main">
          Skip to content
        </a>
        <span class="brand">Drumbeat</span>
        <nav aria-label="Screens">
          <ul>
            {screens.map((id) => (
              <li key={id}>
                <a href={`#/${id}`} aria-current={id === screen ? 'page' : undefined}>
                  {SCREENS[id].title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="spacer" />
        {plants && plants.length > 0 && (
          <label class="plant-picker">
            Plant{' '}
            <select
              value={plantId ?? ''}
              onChange={(e) => {
                setPlantId(e.currentTarget.value);
                sessionStorage.setItem('drumbeat.plant', e.currentTarget.value);
              }}
            >
              {plants.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <span class="who" title={session.principal}>
          {session.name} <span class="role">{session.role}</span>
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {!screen ? (
          <p>The role “{session.role}” has no screen in the web board; use the API.</p>
        ) : plants === null ? (
          <p class="muted">Loading plants…</p>
        ) : !plant ? (
          <p>No plant is visible to this key.</p>
        ) : (
          <ScreenView id={screen} session={session} plant={plant} />
        )}
      </main>
    </div>
  );
}

function ScreenView({ id, session, plant }: { id: ScreenId; session: Session; plant: Plant }) {
  const props = { role: session.role, plant: plant.id, timeZone: plant.timeZone, key: `${id}:${plant.id}` };
  switch (id) {
    case 'board':
      return <BoardScreen {...props} />;
    case 'floor':
      return <FloorScreen {...props} />;
    case 'sales':
      return <SalesScreen {...props} />;
    case 'capacity':
      return <CapacityScreen {...props} />;
    case 'timeline':
      return <TimelineScreen {...props} />;
    case 'kpis':
      return <KpiScreen {...props} />;
  }
}
