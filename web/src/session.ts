// The one API client of the page, its session kept in localStorage, and a hook for the user.
import { useEffect, useState } from 'preact/hooks';
import { ApiClient, type User } from './api';
import type { Who } from './access';

export const api = new ApiClient({ storage: typeof localStorage === 'undefined' ? undefined : localStorage });

export function useUser(): { user: User | null; expired: boolean } {
  const [state, setState] = useState<{ user: User | null; expired: boolean }>({ user: api.user, expired: false });
  useEffect(
    () =>
      api.onChange((reason) => {
        setState({ user: api.user, expired: reason === 'expired' });
      }),
    [],
  );
  return state;
}

export const whoOf = (user: User): Who => ({ user_type: user.user_type as Who['user_type'], company_id: user.company_id, user_id: user.user_id });
