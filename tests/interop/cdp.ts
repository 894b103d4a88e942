// deno-lint-ignore-file no-explicit-any -- DevTools Protocol messages are JSON
/**
 * A small Chrome DevTools Protocol client for tests: starts Debian's headless Chromium with a
 * throw-away profile, reads the DevToolsActivePort file, and drives one page over a WebSocket
 * (navigate, evaluate, wait for a condition, click with the mouse, take PNG screenshots), keeping
 * every console error and uncaught exception the page raises.
 *
 * @module
 */

/**
 * The Chromium binary on PATH, or undefined when none is installed.
 *
 * @example
 * ```ts
 * import { findChromium } from "./cdp.ts";
 * console.log(findChromium() ?? "no chromium"); // e.g. /usr/bin/chromium
 * ```
 */
export function findChromium(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // Not in this directory.
      }
    }
  }
  return undefined;
}

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: Error): void;
}

/** A headless Chromium with one page. */
export class Browser implements AsyncDisposable {
  readonly #process: Deno.ChildProcess;
  readonly #profile: string;
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(method: string, params: Record<string, unknown>) => void>();
  #nextId = 1;
  /** Console errors, uncaught exceptions and failed loads the page reported. */
  readonly errors: string[] = [];

  private constructor(process: Deno.ChildProcess, profile: string, ws: WebSocket) {
    this.#process = process;
    this.#profile = profile;
    this.#ws = ws;
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`CDP: ${msg.error.message}`));
        else p?.resolve(msg.result);
        return;
      }
      this.#event(msg.method, msg.params);
      for (const l of this.#listeners) l(msg.method, msg.params);
    };
  }

  #event(method: string, params: Record<string, any>): void {
    if (method === "Runtime.consoleAPICalled" && params.type === "error") {
      this.errors.push(
        `console.error: ${params.args.map((a: any) => a.value ?? a.description).join(" ")}`,
      );
    } else if (method === "Runtime.exceptionThrown") {
      const d = params.exceptionDetails;
      this.errors.push(`exception: ${d.exception?.description ?? d.text}`);
    } else if (method === "Log.entryAdded" && params.entry.level === "error") {
      this.errors.push(`${params.entry.source}: ${params.entry.text} ${params.entry.url ?? ""}`);
    }
  }

  /**
   * Starts Chromium headless and attaches to its first page.
   *
   * @example
   * ```ts
   * import { Browser, findChromium } from "./cdp.ts";
   * await using browser = await Browser.launch(findChromium()!);
   * await browser.goto("data:text/html,<p>hi</p>");
   * console.log(await browser.evaluate("document.body.textContent")); // "hi"
   * ```
   */
  static async launch(binary: string, options: { width?: number; height?: number } = {}) {
    const profile = await Deno.makeTempDir({ prefix: "brook-chromium-" });
    const process = new Deno.Command(binary, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        `--window-size=${options.width ?? 1400},${options.height ?? 900}`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let port = "";
      for (let i = 0; i < 300 && !port; i++) {
        try {
          port = (await Deno.readTextFile(`${profile}/DevToolsActivePort`)).split("\n")[0];
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      if (!port) throw new Error("Chromium did not write DevToolsActivePort within 30 s");
      const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      const page = targets.find((t: { type: string }) => t.type === "page");
      if (!page) throw new Error("Chromium has no page to attach to");
      const ws = new WebSocket(page.webSocketDebuggerUrl);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error("Cannot open the DevTools WebSocket"));
      });
      const browser = new Browser(process, profile, ws);
      await browser.send("Runtime.enable");
      await browser.send("Log.enable");
      await browser.send("Page.enable");
      return browser;
    } catch (e) {
      process.kill("SIGKILL");
      await process.status;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  /** Sends one command and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<Record<string, unknown>>();
    this.#pending.set(id, { resolve, reject });
    this.#ws.send(JSON.stringify({ id, method, params }));
    return promise;
  }

  /** Loads `url` and resolves once its load event fired. */
  async goto(url: string): Promise<void> {
    const loaded = Promise.withResolvers<void>();
    const l = (method: string) => method === "Page.loadEventFired" && loaded.resolve();
    this.#listeners.add(l);
    try {
      await this.send("Page.navigate", { url });
      const timer = setTimeout(
        () => loaded.reject(new Error(`${url} did not load in 30 s`)),
        30_000,
      );
      await loaded.promise.finally(() => clearTimeout(timer));
    } finally {
      this.#listeners.delete(l);
    }
  }

  /** The value of a JavaScript expression in the page (promises awaited). */
  async evaluate(expression: string): Promise<any> {
    const r = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (r.exceptionDetails) {
      throw new Error(
        `${expression}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`,
      );
    }
    return r.result.value;
  }

  /** Polls `expression` every 100 ms until it is truthy; its value, or an error after `timeoutMs`. */
  async waitFor(expression: string, timeoutMs = 15_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      last = await this.evaluate(expression);
      if (last) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${expression} (last: ${last})`);
  }

  /** Clicks the middle of the element `selector` names with the mouse, as a user would. */
  async click(selector: string): Promise<void> {
    const box = await this.evaluate(`(() => {
      const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) return null;
      e.scrollIntoView({ block: "center" });
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    })()`);
    if (!box) throw new Error(`No element ${selector} to click`);
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", { type, ...box, button: "left", clickCount: 1 });
    }
  }

  /** Sets a form field's value as typing would (input and change events fire). */
  async fill(selector: string, value: string): Promise<void> {
    const ok = await this.evaluate(`(() => {
      const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) return false;
      e.value = ${JSON.stringify(value)};
      e.dispatchEvent(new Event("input", { bubbles: true }));
      e.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    })()`);
    if (!ok) throw new Error(`No field ${selector}`);
  }

  /** Saves a PNG screenshot of the page (the whole page when `fullPage`) to `path`. */
  async screenshot(path: string, options: { fullPage?: boolean } = {}): Promise<void> {
    const r = await this.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: options.fullPage ?? false,
    });
    const binary = atob(r.data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    await Deno.writeFile(path, bytes);
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    this.#ws.close();
    try {
      this.#process.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        this.#process.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, 5_000);
    await this.#process.status;
    clearTimeout(timer);
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
