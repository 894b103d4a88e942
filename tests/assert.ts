/**
 * The assertions Brook's tests use, on top of `node:assert/strict` (JSR's std is not reachable here).
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep, strict equality (bigints, typed arrays and NaN compare by value). */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** The value is truthy. */
export function assertOk(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}

/** Fails unless `e` is an instance of `type` whose message matches `pattern` (when given). */
function checkError<E extends Error>(
  e: unknown,
  type: abstract new (...args: never[]) => E,
  pattern?: RegExp,
): E {
  if (!(e instanceof type)) {
    throw new assert.AssertionError({
      message: `expected ${type.name}, got ${
        e instanceof Error ? `${e.name}: ${e.message}` : String(e)
      }`,
    });
  }
  if (pattern && !pattern.test(e.message)) {
    throw new assert.AssertionError({
      message: `message ${JSON.stringify(e.message)} does not match ${pattern}`,
    });
  }
  return e;
}

/** `fn` throws an instance of `type` whose message matches `pattern` (when given); returns the error. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => E,
  pattern?: RegExp,
): E {
  try {
    fn();
  } catch (e) {
    return checkError(e, type, pattern);
  }
  throw new assert.AssertionError({ message: `expected ${type.name} to be thrown` });
}

/** `fn` rejects with an instance of `type` (message matching `pattern` when given); returns the error. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  pattern?: RegExp,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, type, pattern);
  }
  throw new assert.AssertionError({ message: `expected ${type.name} to be rejected` });
}
