/**
 * The web console's files (HTML, CSS and plain JavaScript modules written by hand, no build step),
 * shipped with the package next to this module and read through `import.meta.url`, so that they
 * load the same from a checkout, from JSR and from `deno compile --include broker/console`.
 *
 * @module
 */

import type { Route } from "../control/routes.ts";
import { HttpError } from "../control/http.ts";

/** The files the console serves, with their content types. */
const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "data_views.js": "text/javascript; charset=utf-8",
  "live_views.js": "text/javascript; charset=utf-8",
  "plot.js": "text/javascript; charset=utf-8",
};

const cache = new Map<string, Promise<string>>();

/**
 * One of the console's files as text, read once.
 *
 * @example
 * ```ts
 * import { consoleFile } from "./assets.ts";
 * const html = await consoleFile("index.html");
 * console.log(html.includes("<title>")); // true
 * ```
 */
export function consoleFile(name: string): Promise<string> {
  if (!(name in FILES)) return Promise.reject(new HttpError(404, `No console file ${name}`));
  let text = cache.get(name);
  if (!text) {
    text = fetch(new URL(`./${name}`, import.meta.url)).then((res) => {
      if (!res.ok) throw new Error(`Cannot read the console's ${name}: ${res.status}`);
      return res.text();
    });
    text.catch(() => cache.delete(name));
    cache.set(name, text);
  }
  return text;
}

async function serve(name: string): Promise<Response> {
  return new Response(await consoleFile(name), {
    headers: { "content-type": FILES[name], "cache-control": "no-cache" },
  });
}

/**
 * The console's routes: the page at `/` and its files under `/console/`.
 *
 * @example
 * ```ts
 * import { CONSOLE_ROUTES } from "./assets.ts";
 * console.log(CONSOLE_ROUTES.map((r) => r.path)); // ["/", "/console/{file}"]
 * ```
 */
export const CONSOLE_ROUTES: Route[] = [
  { method: "GET", path: "/", handle: () => serve("index.html") },
  { method: "GET", path: "/console/{file}", handle: ({ params }) => serve(params.file) },
];
