/**
 * The control API's HTTP plumbing: JSON answers, one-line errors with a status, and checks of
 * request bodies and query parameters.
 *
 * @module
 */

/**
 * A request the control API refuses: its status and a one-line message.
 *
 * @example
 * ```ts
 * import { HttpError } from "./http.ts";
 * throw new HttpError(404, "Unknown topic 'orders'");
 * ```
 */
export class HttpError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.details = details;
  }
}

/**
 * A JSON answer.
 *
 * @example
 * ```ts
 * import { json } from "./http.ts";
 * const res = json({ ok: true }, 201);
 * ```
 */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body, null, 2) + "\n", {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/**
 * The JSON answer of an error: `{"error": "...", ...details}`, one line of message.
 *
 * @example
 * ```ts
 * import { errorResponse } from "./http.ts";
 * const res = errorResponse(400, "Field 'name' is required");
 * ```
 */
export function errorResponse(status: number, message: string, details?: object): Response {
  return json({ error: message.split("\n")[0], ...details }, status);
}

/** The largest request body taken. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * The request's body parsed as JSON; a 400 when it is not JSON, 413 when too large.
 *
 * @example
 * ```ts
 * import { readJson } from "./http.ts";
 * const body = await readJson(new Request("http://x/", { method: "POST", body: "{}" }));
 * ```
 */
export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) throw new HttpError(413, `The body is over ${MAX_BODY_BYTES} bytes`);
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(413, `The body is over ${MAX_BODY_BYTES} bytes`);
  }
  const text = new TextDecoder().decode(bytes).trim();
  if (text === "") throw new HttpError(400, "The body must be a JSON object, got nothing");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `The body is not JSON: ${(e as Error).message}`);
  }
}

/** The type a field must have. */
export type FieldType = "string" | "integer" | "boolean" | "object" | "string-map";

/** How one field of a body is checked. */
export interface FieldRule {
  type: FieldType;
  required?: boolean;
  /** For integers: the least value. */
  min?: number;
  /** For integers: the greatest value. */
  max?: number;
  /** For strings: the values allowed. */
  oneOf?: readonly string[];
}

/**
 * Checks that `body` is an object with only the fields `rules` names, each of its type; a 400
 * naming the first field that is wrong.
 *
 * @example
 * ```ts
 * import { checkFields } from "./http.ts";
 * const body = checkFields({ name: "t" }, { name: { type: "string", required: true } });
 * console.log(body.name); // "t"
 * ```
 */
export function checkFields(
  body: unknown,
  rules: Record<string, FieldRule>,
): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "The body must be a JSON object");
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!(key in rules)) {
      throw new HttpError(
        400,
        `Unknown field '${key}' (expected ${Object.keys(rules).join(", ")})`,
      );
    }
  }
  for (const [key, rule] of Object.entries(rules)) {
    const v = b[key];
    if (v === undefined || v === null) {
      if (rule.required) throw new HttpError(400, `Field '${key}' is required`);
      delete b[key];
      continue;
    }
    checkValue(`Field '${key}'`, v, rule);
  }
  return b;
}

function checkValue(what: string, v: unknown, rule: FieldRule): void {
  switch (rule.type) {
    case "string":
      if (typeof v !== "string") throw new HttpError(400, `${what} must be a string`);
      if (rule.oneOf && !rule.oneOf.includes(v)) {
        throw new HttpError(400, `${what} must be one of ${rule.oneOf.join(", ")}, got '${v}'`);
      }
      return;
    case "integer": {
      const min = rule.min ?? 0;
      const max = rule.max ?? Number.MAX_SAFE_INTEGER;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
        throw new HttpError(400, `${what} must be an integer from ${min} to ${max}`);
      }
      return;
    }
    case "boolean":
      if (typeof v !== "boolean") throw new HttpError(400, `${what} must be true or false`);
      return;
    case "object":
      if (typeof v !== "object" || Array.isArray(v)) {
        throw new HttpError(400, `${what} must be an object`);
      }
      return;
    case "string-map":
      if (
        typeof v !== "object" || Array.isArray(v) ||
        Object.values(v as object).some((x) => typeof x !== "string")
      ) {
        throw new HttpError(400, `${what} must be an object of strings`);
      }
      return;
  }
}

/**
 * An integer path or query parameter; a 400 when it is not one.
 *
 * @example
 * ```ts
 * import { integerParam } from "./http.ts";
 * console.log(integerParam("limit", "10", { min: 1 })); // 10
 * ```
 */
export function integerParam(
  name: string,
  value: string | null | undefined,
  rule: { min?: number; max?: number; fallback?: number } = {},
): number | undefined {
  if (value === null || value === undefined || value === "") return rule.fallback;
  const n = Number(value);
  const min = rule.min ?? 0;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpError(400, `Parameter '${name}' must be an integer from ${min} to ${max}`);
  }
  return n;
}

/**
 * Refuses query parameters other than `allowed`.
 *
 * @example
 * ```ts
 * import { checkQuery } from "./http.ts";
 * checkQuery(new URL("http://x/metrics?format=json"), ["format"]);
 * ```
 */
export function checkQuery(url: URL, allowed: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) {
      const expected = allowed.length ? ` (expected ${allowed.join(", ")})` : "";
      throw new HttpError(400, `Unknown parameter '${key}'${expected}`);
    }
  }
}
