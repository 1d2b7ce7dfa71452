// Following the hash route in the browser (routes.ts parses and writes them).
import { useEffect, useState } from 'preact/hooks';
import { parseHash, type Route } from './routes';

export { hrefOf, parseHash, type Route } from './routes';

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
