// The signed-in user's own account: profile and password change.
import { useState } from 'preact/hooks';
import type { User } from '../api';
import { roleLabel } from '../access';
import { formatTime } from '../format';
import { api } from '../session';
import { ErrorNote, useAction } from '../ui';

export function AccountPage({ user }: { user: User }) {
  const [old, setOld] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const change = useAction(async () => {
    setDone(false);
    await api.post(`/api/users/${user.user_id}/change-password`, { old_password: old, new_password: next });
    setOld('');
    setNext('');
    setDone(true);
  });
  return (
    <section>
      <h2>Account</h2>
      <dl class="facts">
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Role</dt>
        <dd>{roleLabel(user.user_type)}</dd>
        <dt>Company</dt>
        <dd class="mono">{user.company_id}</dd>
        <dt>Since</dt>
        <dd>{formatTime(user.time_created)}</dd>
      </dl>
      <article>
        <header>Change password</header>
        <form
          aria-label="Change password"
          onSubmit={(e) => {
            e.preventDefault();
            void change.run();
          }}
        >
          <label>
            Current password
            <input name="old_password" type="password" autoComplete="current-password" required value={old} onInput={(e) => setOld(e.currentTarget.value)} />
          </label>
          <label>
            New password
            <input name="new_password" type="password" autoComplete="new-password" required minLength={8} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
          </label>
          <ErrorNote error={change.error} />
          {done ? <p role="status">Password changed. Your other sessions have ended.</p> : null}
          <button type="submit" disabled={change.busy}>
            Change password
          </button>
        </form>
      </article>
    </section>
  );
}
