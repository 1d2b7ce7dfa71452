// The shell: sign-in, the menu of the pages this role may open, session renewal, and the pages.
import { useEffect, useState } from 'preact/hooks';
import { mayOpen, pagesFor, roleLabel, type PageId } from './access';
import { navigate, useRoute } from './router';
import { api, useUser, whoOf } from './session';
import { ErrorNote, useAction } from './ui';
import { FoldersPage } from './pages/folders';
import { FolderPage } from './pages/folder';
import { NewCheckPage } from './pages/new-check';
import { ReviewPage } from './pages/review';
import { BlacklistPage } from './pages/blacklist';
import { UsersPage, CompaniesPage } from './pages/users';
import { StatsPage } from './pages/stats';
import { SettingsPage } from './pages/settings';
import { AccountPage } from './pages/account';

function SignIn({ expired }: { expired: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(() => api.signIn(email, password));
  return (
    <main class="container signin">
      <article>
        <header>
          <h1>oz-open console</h1>
          <p class="muted">Liveness, face matching and blacklist checks</p>
        </header>
        {expired ? (
          <p class="notice" role="status">
            Your session has expired. Sign in again to continue.
          </p>
        ) : null}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run();
          }}
        >
          <label>
            Email
            <input name="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <ErrorNote error={action.error} />
          <button type="submit" aria-busy={action.busy} disabled={action.busy}>
            Sign in
          </button>
        </form>
        <footer>
          <a href="/docs">API reference</a>
        </footer>
      </article>
    </main>
  );
}

/** Renews the session shortly before it runs out while the page is open. */
function useRenewal(active: boolean) {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (api.session && api.secondsLeft() < 120) void api.renew().catch(() => undefined);
    }, 30_000);
    return () => clearInterval(timer);
  }, [active]);
}

export function App() {
  const { user, expired } = useUser();
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  useRenewal(!!user);
  useEffect(() => setMenuOpen(false), [route.page, route.id]);
  if (!user) return <SignIn expired={expired} />;
  const who = whoOf(user);
  const pages = pagesFor(who);
  const page = (route.page || 'folders') as PageId;
  if (!route.page) navigate('#/folders');
  let body;
  if (!mayOpen(who, page)) body = <Denied />;
  else if (page === 'folders') body = route.id ? <FolderPage id={route.id} who={who} /> : <FoldersPage who={who} query={route.query} />;
  else if (page === 'new') body = <NewCheckPage who={who} user={user} />;
  else if (page === 'review') body = <ReviewPage who={who} />;
  else if (page === 'blacklist') body = <BlacklistPage who={who} id={route.id} />;
  else if (page === 'users') body = <UsersPage who={who} />;
  else if (page === 'companies') body = <CompaniesPage who={who} />;
  else if (page === 'stats') body = <StatsPage who={who} />;
  else if (page === 'settings') body = <SettingsPage who={who} />;
  else body = <AccountPage user={user} />;
  return (
    <>
      <header class="topbar">
        <nav class="container-fluid">
          <ul>
            <li>
              <a href="#/folders" class="brand">
                oz-open
              </a>
            </li>
            <li class="menu-toggle">
              <button class="outline secondary" aria-expanded={menuOpen} aria-controls="main-menu" onClick={() => setMenuOpen(!menuOpen)}>
                Menu
              </button>
            </li>
          </ul>
          <ul id="main-menu" class={menuOpen ? 'open' : ''} aria-label="Pages">
            {pages.map((p) => (
              <li>
                <a href={p.path} aria-current={p.id === page ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
            <li class="who">
              <span title={user.email}>
                {user.email} · <em>{roleLabel(user.user_type)}</em>
              </span>
            </li>
            <li>
              <button class="outline secondary small" onClick={() => void api.signOut()}>
                Sign out
              </button>
            </li>
          </ul>
        </nav>
      </header>
      <main class="container-fluid page">{body}</main>
    </>
  );
}

function Denied() {
  return (
    <article>
      <h2>Not available</h2>
      <p>Your role may not open this page.</p>
      <a href="#/folders">Back to folders</a>
    </article>
  );
}
