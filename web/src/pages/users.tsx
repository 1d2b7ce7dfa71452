// Users and companies: create, edit the role, block and unblock, sessions, service tokens; companies
// with their monthly quota.
import { useState } from 'preact/hooks';
import type { Schema, User } from '../api';
import { allowed, assignableRoles, mayIssueServiceToken, mayManageUser, roleLabel, type Role, type Who } from '../access';
import { formatTime, shortId } from '../format';
import { api } from '../session';
import { Badge, ErrorNote, Loading, Table, useAction, useLoad } from '../ui';

type Company = Schema<'Company'>;

export function UsersPage({ who }: { who: Who }) {
  const users = useLoad(() => api.get<{ total: number; items: User[] }>('/api/users', { limit: 200 }), []);
  const companies = useLoad(() => (who.user_type === 'ADMIN' ? api.get<{ total: number; items: Company[] }>('/api/companies', { limit: 200 }).then((p) => p.items) : Promise.resolve([])), []);
  const [open, setOpen] = useState<string | null>(null);
  const roles = assignableRoles(who);
  const companyName = (id: string) => companies.data?.find((c) => c.company_id === id)?.name ?? shortId(id);
  return (
    <section>
      <h2>Users</h2>
      {roles.length ? <CreateUser who={who} roles={roles} companies={companies.data ?? []} onDone={users.reload} /> : null}
      <ErrorNote error={users.error} />
      {!users.data ? <Loading what="users" /> : null}
      {users.data ? (
        <Table
          label="Users"
          rows={users.data.items}
          rowKey={(u) => u.user_id}
          empty="No user."
          columns={[
            { title: 'Email', cell: (u) => u.email },
            { title: 'Name', cell: (u) => [u.first_name, u.last_name].filter(Boolean).join(' ') || '—' },
            { title: 'Role', cell: (u) => roleLabel(u.user_type) },
            ...(who.user_type === 'ADMIN' ? [{ title: 'Company', cell: (u: User) => companyName(u.company_id) }] : []),
            { title: 'Status', cell: (u) => <Badge status={u.is_active ? 'SUCCESS' : 'DECLINED'} text={u.is_active ? 'active' : 'blocked'} /> },
            {
              title: '',
              cell: (u) => (
                <button class="secondary outline small" aria-expanded={open === u.user_id} onClick={() => setOpen(open === u.user_id ? null : u.user_id)}>
                  {open === u.user_id ? 'Close' : 'Manage'}
                </button>
              ),
            },
          ]}
        />
      ) : null}
      {open && users.data?.items.find((u) => u.user_id === open) ? <ManageUser who={who} user={users.data.items.find((u) => u.user_id === open)!} roles={roles} onDone={users.reload} key={open} /> : null}
    </section>
  );
}

function CreateUser({ who, roles, companies, onDone }: { who: Who; roles: Role[]; companies: Company[]; onDone: () => void }) {
  const empty = { email: '', password: '', first_name: '', last_name: '', user_type: 'CLIENT', company_id: who.company_id };
  const [form, setForm] = useState(empty);
  const [created, setCreated] = useState('');
  const create = useAction(async () => {
    const { email, password, ...profile } = form;
    const user = await api.post<User>('/api/users', { credentials: { email, password }, profile });
    setCreated(user.email);
    setForm(empty);
    onDone();
  });
  const set = (k: keyof typeof empty) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  return (
    <details>
      <summary role="button" class="secondary outline">
        New user
      </summary>
      <form
        aria-label="New user"
        class="grid-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <label>
          Email
          <input name="new_email" type="email" required value={form.email} onInput={set('email')} />
        </label>
        <label>
          Password
          <input name="new_password" type="password" autoComplete="new-password" required minLength={8} value={form.password} onInput={set('password')} />
        </label>
        <label>
          First name
          <input name="first_name" value={form.first_name} onInput={set('first_name')} />
        </label>
        <label>
          Last name
          <input name="last_name" value={form.last_name} onInput={set('last_name')} />
        </label>
        <label>
          Role
          <select name="user_type" value={form.user_type} onChange={set('user_type')}>
            {roles.map((r) => (
              <option value={r}>{roleLabel(r)}</option>
            ))}
          </select>
        </label>
        {who.user_type === 'ADMIN' ? (
          <label>
            Company
            <select name="company_id" value={form.company_id} onChange={set('company_id')}>
              {companies.map((c) => (
                <option value={c.company_id}>{c.name}</option>
              ))}
            </select>
          </label>
        ) : null}
        <div>
          <ErrorNote error={create.error} />
          {created ? <p role="status">Created {created}.</p> : null}
          <button type="submit" disabled={create.busy} aria-busy={create.busy}>
            Create user
          </button>
        </div>
      </form>
    </details>
  );
}

function ManageUser({ who, user, roles, onDone }: { who: Who; user: User; roles: Role[]; onDone: () => void }) {
  const target = { user_type: user.user_type as Role, company_id: user.company_id, user_id: user.user_id };
  const manage = mayManageUser(who, target);
  const sessions = useLoad(() => api.get<Schema<'SessionPage'>>(`/api/users/${user.user_id}/sessions`), [user.user_id]);
  const [token, setToken] = useState<string | null>(null);
  const patch = useAction(async (body: Record<string, unknown>) => {
    await api.patch(`/api/users/${user.user_id}`, body);
    onDone();
  });
  const end = useAction(async (sessionId: string) => {
    await api.del(`/api/users/${user.user_id}/sessions/${sessionId}`);
    sessions.reload();
  });
  const issue = useAction(async () => {
    setToken((await api.post<Schema<'ServiceToken'>>(`/api/authorize/service_token/${user.user_id}`)).access_token);
    sessions.reload();
  });
  const remove = useAction(async () => {
    await api.del(`/api/users/${user.user_id}`);
    onDone();
  });
  return (
    <article aria-label={`Manage ${user.email}`}>
      <header>
        <strong>{user.email}</strong> <small class="mono muted">{user.user_id}</small>
      </header>
      {manage ? (
        <div class="actions">
          <label>
            Role{' '}
            <select aria-label="Role" value={user.user_type} onChange={(e) => void patch.run({ user_type: e.currentTarget.value })}>
              {roles.map((r) => (
                <option value={r}>{roleLabel(r)}</option>
              ))}
            </select>
          </label>
          <button class={user.is_active ? 'danger outline small' : 'ok small'} onClick={() => void patch.run({ is_active: !user.is_active })}>
            {user.is_active ? 'Block' : 'Unblock'}
          </button>
          {mayIssueServiceToken(who, target) ? (
            <button class="secondary outline small" onClick={() => void issue.run()}>
              Issue service token
            </button>
          ) : null}
          {allowed(who, 'USER', 'delete') ? (
            <button class="danger outline small" onClick={() => confirm(`Delete ${user.email}?`) && void remove.run()}>
              Delete
            </button>
          ) : null}
        </div>
      ) : (
        <p class="muted">You may not change this user.</p>
      )}
      {token ? (
        <p>
          Service token (shown once): <code class="wrap">{token}</code>
        </p>
      ) : null}
      <ErrorNote error={patch.error ?? issue.error ?? remove.error ?? end.error} />
      <h4>Sessions</h4>
      <ErrorNote error={sessions.error} />
      {sessions.data ? (
        <Table
          label="Sessions"
          rows={sessions.data.items}
          rowKey={(s) => String(s.session_id)}
          empty="No live session."
          columns={[
            { title: 'Started', cell: (s) => formatTime(s.time_created) },
            { title: 'Expires', cell: (s) => formatTime(s.expire_date) },
            { title: 'Kind', cell: (s) => (s.long_lived ? 'service token' : s.is_current ? 'this session' : 'session') },
            {
              title: '',
              cell: (s) =>
                manage || user.user_id === who.user_id ? (
                  <button class="secondary outline small" onClick={() => void end.run(String(s.session_id))}>
                    End
                  </button>
                ) : null,
            },
          ]}
        />
      ) : null}
    </article>
  );
}

export function CompaniesPage({ who }: { who: Who }) {
  const list = useLoad(() => api.get<{ total: number; items: Company[] }>('/api/companies', { limit: 200 }), []);
  const [name, setName] = useState('');
  const create = useAction(async () => {
    await api.post('/api/companies', { name });
    setName('');
    list.reload();
  });
  return (
    <section>
      <h2>Companies</h2>
      {allowed(who, 'COMPANY', 'create') ? (
        <form
          class="inline-form"
          aria-label="New company"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <input name="company_name" aria-label="Company name" placeholder="Company name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="small" disabled={create.busy}>
            New company
          </button>
          <ErrorNote error={create.error} />
        </form>
      ) : null}
      <ErrorNote error={list.error} />
      {list.data ? (
        <Table
          label="Companies"
          rows={list.data.items}
          rowKey={(c) => c.company_id}
          empty="No company."
          columns={[
            { title: 'Name', cell: (c) => c.name },
            { title: 'Id', cell: (c) => <span class="mono">{shortId(c.company_id)}</span> },
            { title: 'Created', cell: (c) => formatTime(c.time_created) },
            // Only ADMIN reads every company's quota (an OPERATOR sees the companies, not their quotas).
            ...(who.user_type === 'ADMIN' ? [{ title: 'Monthly quota', cell: (c: Company) => <Quota company={c} editable /> }] : []),
          ]}
        />
      ) : (
        <Loading what="companies" />
      )}
    </section>
  );
}

function Quota({ company, editable }: { company: Company; editable: boolean }) {
  const quota = useLoad(() => api.get<Schema<'UsageQuota'>>(`/api/companies/${company.company_id}/usage_quota`), [company.company_id]);
  const set = useAction(async () => {
    const input = prompt('Analyses a month (empty: no quota)', String(quota.data?.monthly_analyses ?? ''));
    if (input === null) return;
    await api.put(`/api/companies/${company.company_id}/usage_quota`, { monthly_analyses: input.trim() === '' ? null : Number(input) });
    quota.reload();
  });
  const q = quota.data;
  return (
    <span>
      {q ? `${q.started} of ${q.monthly_analyses ?? '∞'} this month` : '…'}{' '}
      {editable ? (
        <button class="link small" onClick={() => void set.run()}>
          change
        </button>
      ) : null}
      <ErrorNote error={set.error} />
    </span>
  );
}
