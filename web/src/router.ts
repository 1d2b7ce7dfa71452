// Hash routes (#/folders/<id>): the server only ever serves index.html, in the local runtime
// and on CloudFront alike.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: string;
  id?: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [pathPart, queryPart] = hash.replace(/^#\/?/, '').split('?');
  const [page, id] = (pathPart ?? '').split('/').filter(Boolean);
  return { page: page ?? '', id: id ? decodeURIComponent(id) : undefined, query: new URLSearchParams(queryPart ?? '') };
}

export const hrefOf = (page: string, id?: string, query?: Record<string, string | undefined>): string => {
  const q = query ? new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1])).toString() : '';
  return `#/${page}${id ? `/${encodeURIComponent(id)}` : ''}${q ? `?${q}` : ''}`;
};

export function navigate(href: string) {
  if (location.hash !== href) location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
