// Hash routes (#/folders/<id>): the server only ever serves index.html, in the local runtime
// and on CloudFront alike. Pure functions (unit-tested); router.ts holds the browser side.

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
